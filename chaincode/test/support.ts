import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DomainError, type ClientIdentity } from '@edu-ledger/domain';
import { EmbeddedLedger, x509Identity } from '@edu-ledger/ledger-embedded';

/** Identities of a small consortium: MSP admins plus role holders. */
export const ids = {
  bureauAdmin: x509Identity('BureauMSP', 'admin@bureau', 'admin'),
  inspector: x509Identity('BureauMSP', 'inspector@bureau'),
  schoolAdmin: x509Identity('SchoolGenMSP', 'admin@school-gen', 'admin'),
  teacher: x509Identity('SchoolGenMSP', 'teacher@school-gen'),
  vocAdmin: x509Identity('SchoolVocMSP', 'admin@school-voc', 'admin'),
  stranger: x509Identity('NobodyMSP', 'someone'),
};

export const T0 = new Date('2026-09-01T08:00:00.000Z');

/** A ledger in a fresh folder with a controllable clock (and, if given, a peer's query limit). */
export async function freshLedger(options: { totalQueryLimit?: number } = {}): Promise<{
  ledger: EmbeddedLedger;
  clock: { now: Date };
  cleanup: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'edu-cc-'));
  const clock = { now: new Date(T0) };
  const ledger = await EmbeddedLedger.open({ path: join(dir, 'ledger'), now: () => clock.now, ...options });
  return {
    ledger,
    clock,
    cleanup: async () => {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function call(
  ledger: EmbeddedLedger,
  who: ClientIdentity,
  fn: string,
  request?: unknown,
): Promise<unknown> {
  return ledger
    .submit(who, fn, request === undefined ? [] : [JSON.stringify(request)])
    .then((r) => JSON.parse(r.result) as unknown);
}

export async function query(
  ledger: EmbeddedLedger,
  who: ClientIdentity,
  fn: string,
  request?: unknown,
): Promise<unknown> {
  return JSON.parse(
    await ledger.evaluate(who, fn, request === undefined ? [] : [JSON.stringify(request)]),
  ) as unknown;
}

/** Asserts a call fails with a code and that the chain did not grow. */
export async function expectRefused(
  ledger: EmbeddedLedger,
  code: string,
  attempt: Promise<unknown>,
): Promise<void> {
  const height = ledger.blockHeight;
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).to.be.instanceOf(DomainError);
  expect((error as DomainError).code).to.equal(code);
  expect(ledger.blockHeight, 'nothing may be written').to.equal(height);
}

export const BUREAU_DID = 'did:web:edu.example.cn:orgs:bureau';
export const SCHOOL_DID = 'did:web:edu.example.cn:orgs:school-gen';
export const VOC_DID = 'did:web:edu.example.cn:orgs:school-voc';

/** Bureau (genesis), two schools, roles for the inspector and the teacher, one accreditation. */
export async function seedConsortium(ledger: EmbeddedLedger): Promise<void> {
  await call(ledger, ids.bureauAdmin, 'registry:RegisterOrganization', {
    orgId: 'bureau',
    kind: 'bureau',
    mspId: 'BureauMSP',
    name: { zh: '示范市教育局', en: 'Demo City Education Bureau' },
    did: BUREAU_DID,
  });
  await call(ledger, ids.bureauAdmin, 'registry:RegisterOrganization', {
    orgId: 'school-gen',
    kind: 'school',
    mspId: 'SchoolGenMSP',
    name: { zh: '示范市第一高级中学', en: 'Demo City No.1 High School' },
    schoolCode: '3101010001',
    did: SCHOOL_DID,
  });
  await call(ledger, ids.bureauAdmin, 'registry:RegisterOrganization', {
    orgId: 'school-voc',
    kind: 'school',
    mspId: 'SchoolVocMSP',
    name: { zh: '示范市职业技术学校', en: 'Demo City Vocational School' },
    schoolCode: '3101010002',
    did: VOC_DID,
  });
  await call(ledger, ids.bureauAdmin, 'registry:GrantRoles', {
    identityId: ids.inspector.id,
    roles: ['inspector'],
  });
  await call(ledger, ids.schoolAdmin, 'registry:GrantRoles', {
    identityId: ids.teacher.id,
    roles: ['teacher'],
  });
  await call(ledger, ids.bureauAdmin, 'registry:Accredit', {
    accreditationId: 'acc-gen-ob3',
    orgId: 'school-gen',
    credentialTypes: ['AchievementCredential', 'OpenBadgeCredential'],
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2029-01-01T00:00:00.000Z',
  });
}
