import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { DomainError, type ClientIdentity } from '@edu-ledger/domain';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import { ledgerStoreFiles, openTestLedger } from '../../test/ledgers.js';
import { createApp } from '../src/app.js';
import type { RateLimits } from '../src/config.js';
import type { CredentialSigner } from '../src/services/signer.js';
import { createLogger } from '../src/logger.js';
import { createServices, type Services } from '../src/services/index.js';
import { GatewayDb } from '../src/stores/gateway-db.js';
import { seedDemo } from '../src/seed.js';

export interface Gateway {
  url: string;
  dataDir: string;
  tokens: Record<string, string>;
  services: Services;
  /** The embedded ledger, or a fresh chaincode namespace on the test network when LEDGER=fabric. */
  ledger: LedgerPort;
  logLines: string[];
  /** Every file the ledger stores data in (the embedded LevelDB, or the Fabric nodes' folders). */
  ledgerFiles: () => Promise<string[]>;
  /** Calls the API over real HTTP on 127.0.0.1. */
  call: (
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ) => Promise<{ status: number; body: any }>;
  /**
   * Calls a route and asserts its status; for a refusal (`code` given) also asserts the stable code
   * and that the ledger did not grow. Returns the body.
   */
  step: (
    method: string,
    path: string,
    token: string | undefined,
    body: unknown,
    status: number,
    code?: string,
  ) => Promise<any>;
  close: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The reader identity of the first organisation this ledger client holds, as main() chooses it. */
async function readerOf(ledger: LedgerPort): Promise<ClientIdentity> {
  for (const mspId of ['BureauMSP', 'UniversityMSP']) {
    try {
      return await ledger.identity(mspId, 'gateway-reader', 'client');
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) throw error;
    }
  }
  throw new Error('the ledger client holds no reader identity');
}

/** A real gateway over a fresh test ledger (embedded, or Fabric with LEDGER=fabric) in a temporary DATA_DIR, listening on a free port. */
export async function startGateway(
  options: {
    staticMounts?: { path: string; dir: string }[];
    /** A ledger client to use instead of a fresh test ledger (closed with the gateway). */
    ledger?: LedgerPort;
    /** Abuse limits instead of the RATE_LIMIT_* defaults. */
    rateLimits?: RateLimits;
    /** A credential signer instead of the in-process one (closed with the gateway). */
    signer?: CredentialSigner;
  } = {},
): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edu-gw-'));
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const ledger = options.ledger ?? (await openTestLedger(join(dataDir, 'ledger')));
  const db = await GatewayDb.open(join(dataDir, 'gateway'));
  // The public URL must carry the real port (offer and status-list links point at it), so the port
  // is chosen before the services are built.
  const port = await freePort();
  let url = `http://127.0.0.1:${port}`;
  const services = createServices({
    ledger,
    db,
    masterKey: randomBytes(32),
    readerIdentity: await readerOf(ledger),
    publicUrl: url,
    ...(options.signer ? { signer: options.signer } : {}),
  });
  const tokens = await seedDemo(services, { dataDir, didHost: 'edu.example.cn', now: new Date() });
  const app = createApp({
    services,
    logger,
    publicUrl: url,
    staticMounts: options.staticMounts ?? [],
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call: Gateway['call'] = async (method, path, opts = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      body:
        opts.body === undefined
          ? undefined
          : typeof opts.body === 'string'
            ? opts.body
            : JSON.stringify(opts.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Left as text for the assertion to show.
    }
    return { status: response.status, body };
  };

  const step: Gateway['step'] = async (method, path, token, body, status, code) => {
    const height = await ledger.height();
    const res = await call(method, path, { token, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).to.equal(status);
    if (code) {
      expect(res.body.error.code).to.equal(code);
      expect(await ledger.height(), 'a refused step writes nothing').to.equal(height);
    }
    return res.body;
  };

  return {
    url,
    dataDir,
    step,
    tokens,
    services,
    ledger,
    logLines,
    ledgerFiles: () => ledgerStoreFiles(join(dataDir, 'ledger')),
    call,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ledger.close();
      await db.close();
      await options.signer?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The checks a credential verification reports, in order, as the tests expect them (written out
 * here rather than taken from the domain, so a change there has to be made in a test too).
 */
export const CREDENTIAL_CHECK_ORDER = [
  'format',
  'signature',
  'issuer-accredited',
  'key-valid',
  'anchored',
  'status',
  'validity-period',
];

/** An Open Badges 3.0 achievement for a holder, as a school would send it. */
export function achievementRequest(
  holderDid: string,
  name = '优秀学生干部 Outstanding Student Leader',
  issuerOrgId = 'school-gen',
): Record<string, unknown> {
  return {
    credential: {
      '@context': [
        'https://www.w3.org/ns/credentials/v2',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        'https://edu-ledger.example/contexts/edu/v1',
      ],
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      // The issuing organisation's did:web under the demo host (DID_WEB_HOST's default).
      issuer: `did:web:edu.example.cn:orgs:${issuerOrgId}`,
      name,
      credentialSubject: {
        id: holderDid,
        type: ['AchievementSubject'],
        achievement: {
          id: 'urn:uuid:8a1f6a5e-1c3b-4c59-9f0a-2f4b0b8f1a11',
          type: ['Achievement'],
          name,
          description: '2026学年校级荣誉 School-level honour, school year 2026',
          criteria: { narrative: '班级推荐，学校审核 Nominated by the class, approved by the school' },
          creditsAvailable: 2,
        },
        creditsEarned: 2,
        creditUnit: '学分',
      },
    },
  };
}

/** A student as a school registers them (fictitious personal data). */
export interface StudentRecord {
  name: string;
  idNumber: string;
  studentNumber: string;
  birthDate: string;
  did: string;
}

/**
 * Registers a student at school-gen, opens their growth archive (five dimensions, set A) and has a
 * teacher record one entry per [entryId, dimensionId] pair; returns the subject id.
 */
export async function studentWithArchive(
  gw: Gateway,
  student: StudentRecord,
  entries: readonly (readonly [string, string])[],
  text = (dimensionId: string): string => `${dimensionId} 记录`,
): Promise<string> {
  const registrar = gw.tokens['school-admin@school-gen'];
  const subjectId = (await gw.step('POST', '/subjects', registrar, student, 201)).subjectId as string;
  await gw.step('POST', '/archives', registrar, { subjectId, dimensionSetId: 'five-dimensions-a' }, 201);
  for (const [entryId, dimensionId] of entries) {
    await gw.step(
      'POST',
      `/archives/${subjectId}/entries`,
      gw.tokens['teacher@school-gen'],
      { entryId, term: '2026-S1', dimensionId, content: { text: text(dimensionId) } },
      201,
    );
  }
  return subjectId;
}

/**
 * A second bureau (`bureau-two`) and a school under it (`school-two`), registered on the ledger as
 * the chaincode would see a real second region: the genesis bureau admin registers the bureau, the
 * new bureau's admin registers its school. Returns a token per role of both, as `<role>@<orgId>`.
 */
export async function addSecondBureau(gw: Gateway): Promise<Record<string, string>> {
  const { services, ledger } = gw;
  const genesis = await ledger.identity('BureauMSP', 'admin@bureau', 'admin');
  const bureauTwo = await ledger.identity('BureauTwoMSP', 'admin@bureau-two', 'admin');
  await services.chaincode.submit(genesis, 'registry:RegisterOrganization', {
    orgId: 'bureau-two',
    kind: 'bureau',
    mspId: 'BureauTwoMSP',
    name: { zh: '第二教育局', en: 'Second Bureau' },
    did: 'did:web:edu.example.cn:orgs:bureau-two',
  });
  await services.chaincode.submit(bureauTwo, 'registry:RegisterOrganization', {
    orgId: 'school-two',
    kind: 'school',
    mspId: 'SchoolTwoMSP',
    name: { zh: '第二区实验学校', en: 'Second District School' },
    did: 'did:web:edu.example.cn:orgs:school-two',
    schoolCode: '3300000002',
    parentBureauId: 'bureau-two',
  });
  const tokens: Record<string, string> = {};
  for (const [orgId, mspId, admin, roles] of [
    ['bureau-two', 'BureauTwoMSP', 'bureau-admin', ['inspector']],
    ['school-two', 'SchoolTwoMSP', 'school-admin', ['teacher']],
  ] as const) {
    const adminId = await ledger.identity(mspId, `admin@${orgId}`, 'admin');
    for (const role of roles) {
      const identity = await ledger.identity(mspId, `${role}@${orgId}`, 'client');
      await services.chaincode.submit(adminId, 'registry:GrantRoles', {
        identityId: identity.id,
        roles: [role],
      });
      tokens[`${role}@${orgId}`] = await services.tokens.create({ orgId, role, label: 'test' });
    }
    tokens[`${admin}@${orgId}`] = await services.tokens.create({ orgId, role: admin, label: 'test' });
  }
  return tokens;
}

/**
 * Registers a made-up subject id on the ledger as owned by a school, through the chaincode as
 * that school's admin: tests that never needed personal data still name a person the ledger knows.
 */
export async function registerOnLedger(
  gw: Gateway,
  school: { orgId: string; mspId: string },
  subjectId: string,
  kind: 'student' | 'teacher',
): Promise<void> {
  const admin = await gw.ledger.identity(school.mspId, `admin@${school.orgId}`, 'admin');
  await gw.services.chaincode.submit(admin, 'registry:RegisterSubject', { subjectId, kind });
}

/** The demo schools, as `registerOnLedger` names them. */
export const SCHOOL_GEN = { orgId: 'school-gen', mspId: 'SchoolGenMSP' } as const;
export const SCHOOL_VOC = { orgId: 'school-voc', mspId: 'SchoolVocMSP' } as const;

/** A PD completion as a provider records it, finished yesterday (override any field). */
export function completionRequest(
  completionId: string,
  teacherId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    completionId,
    teacherId,
    schoolId: 'school-gen',
    activityKind: 'online',
    title: { zh: '研修', en: 'Workshop' },
    hours: 10,
    completedOn: new Date(Date.now() - 86_400_000).toISOString(),
    ...extra,
  };
}
