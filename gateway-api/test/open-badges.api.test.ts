import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  deriveCredential,
  didKeyFromSeed,
  LEDGER_STATUS_MESSAGES,
  readListedStatus,
  type VerifiableCredential,
} from '@edu-ledger/credentials';
import { openBadgeSchemaProblems } from '../../test/open-badges-schema.js';
import {
  achievementRequest,
  completionRequest,
  registerOnLedger,
  SCHOOL_GEN,
  startGateway,
  type Gateway,
} from './harness.js';

const TEACHER = `subj-${'0b'.repeat(16)}`;

/** The issue request of the README's example (`curl … -d '{ "credential": … }'`), as the README has it. */
function readmeExampleRequest(): Record<string, unknown> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const body = /-d '(\{\n {2}"credential": \{[\s\S]*?\n\})'/.exec(readme)?.[1];
  if (!body) throw new Error('the README has no issue example');
  return JSON.parse(body) as Record<string, unknown>;
}

describe('gateway: Open Badges 3.0 credentials and their status lists', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let school: string;
  let holder: string;

  before(async () => {
    gw = await startGateway();
    school = gw.tokens['school-admin@school-gen'] ?? '';
    holder = (await didKeyFromSeed(new Uint8Array(32).fill(11))).did;
  });
  after(() => gw.close());

  const issue = async (body: unknown): Promise<any> =>
    (await gw.step('POST', '/credentials/issue', school, body, 201)).verifiableCredential;
  const verify = async (credential: unknown): Promise<{ status: number; body: any }> =>
    gw.call('POST', '/credentials/verify', { body: { verifiableCredential: credential } });
  const setStatus = (credentialId: string, status: string): Promise<unknown> =>
    gw.step(
      'POST',
      '/credentials/status',
      school,
      { credentialId, credentialStatus: [{ type: 'BitstringStatusListCredential', status }] },
      200,
    );

  describe('every kind of badge meets the OB 3.0 JSON Schema', () => {
    it('an achievement credential (Data Integrity) with one status entry', async () => {
      const vc = await issue(achievementRequest(holder));
      expect(openBadgeSchemaProblems(vc)).to.deep.equal([]);
      expect(vc.credentialStatus).to.be.an('object').and.include({
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
      });
      expect(vc.credentialStatus).to.not.have.property('statusSize');
      expect((await verify(vc)).status).to.equal(200);
    });

    it('the README example', async () => {
      const vc = await issue(readmeExampleRequest());
      expect(openBadgeSchemaProblems(vc)).to.deep.equal([]);
    });

    it('an achievement credential as vc+jwt (the JWT payload is the credential)', async () => {
      const enveloped = await issue({ ...achievementRequest(holder), options: { format: 'jwt' } });
      const jwt = String(enveloped.id).split(',').pop() ?? '';
      const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
      expect(openBadgeSchemaProblems(payload)).to.deep.equal([]);
    });

    it('a PD completion badge', async () => {
      await registerOnLedger(gw, SCHOOL_GEN, TEACHER, 'teacher');
      const provider = gw.tokens['provider-admin@provider'];
      await gw.step('POST', '/pd/completions', provider, completionRequest('ob-1', TEACHER), 201);
      await gw.step('POST', `/pd/completions/${TEACHER}/ob-1/decision`, school, { confirm: true }, 200);
      const { verifiableCredential: vc } = await gw.step(
        'POST',
        `/pd/completions/${TEACHER}/ob-1/credential`,
        provider,
        { holderDid: holder },
        201,
      );
      expect(vc.type).to.include('OpenBadgeCredential');
      expect(vc.credentialSubject.achievement.description).to.match(/学时.*hours/);
      expect(openBadgeSchemaProblems(vc)).to.deep.equal([]);
    });

    it('a selective-disclosure badge, and one derived from it that reveals nothing optional', async () => {
      const base = (await issue({
        ...achievementRequest(holder),
        options: { selectiveDisclosure: true },
      })) as VerifiableCredential;
      expect(openBadgeSchemaProblems(base)).to.deep.equal([]);
      const derived = await deriveCredential({
        verifiableCredential: base,
        selectivePointers: [],
        documentLoader: gw.services.documentLoader,
      });
      expect(openBadgeSchemaProblems(derived)).to.deep.equal([]);
      expect(derived.credentialSubject).not.to.have.property('creditsEarned');
      const res = await verify(derived);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    });
  });

  describe('status lists', () => {
    async function list(url: string): Promise<{ body: any; cacheControl: string | null }> {
      const res = await fetch(url);
      expect(res.status).to.equal(200);
      return { body: await res.json(), cacheControl: res.headers.get('cache-control') };
    }
    /** The entry a credential would carry for `purpose` at its index (only revocation is named). */
    const entryFor = (vc: any, purpose: 'revocation' | 'suspension' | 'message'): any => {
      const base = String(vc.credentialStatus.statusListCredential).replace(/-revocation$/, '');
      const url = purpose === 'message' ? base : `${base}-${purpose}`;
      const index = vc.credentialStatus.statusListIndex;
      return {
        id: `${url}#${index}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: purpose,
        statusListIndex: index,
        statusListCredential: url,
        ...(purpose === 'message'
          ? { statusSize: 2, statusMessage: LEDGER_STATUS_MESSAGES.map((m) => ({ ...m })) }
          : {}),
      };
    };

    it('are valid for 24 hours, ask to be fetched again after 5 minutes, and say so in HTTP too', async () => {
      const vc = await issue(achievementRequest(holder));
      const { body, cacheControl } = await list(vc.credentialStatus.statusListCredential);
      expect(body.type).to.include('BitstringStatusListCredential');
      expect(body.credentialSubject).to.include({ statusPurpose: 'revocation', ttl: 300_000 });
      expect(Date.parse(body.validUntil) - Date.parse(body.validFrom)).to.equal(24 * 3600_000);
      expect(cacheControl).to.equal('public, max-age=300');
      // The list is a credential its issuer signed: its signature checks out at the gateway.
      const check = await verify(body);
      expect(check.body.checks.find((c: any) => c.check === 'signature').status).to.equal('valid');
      expect(check.body.checks.find((c: any) => c.check === 'validity-period').status).to.equal('valid');
    });

    it('the named revocation list, and the suspension and 2-bit lists beside it, follow each change at once', async () => {
      const vc = await issue(achievementRequest(holder));
      const read = async (purpose: 'revocation' | 'suspension' | 'message') => {
        const entry = entryFor(vc, purpose);
        const { body } = await list(entry.statusListCredential);
        return { ...(await readListedStatus(entry, body)), signature: body.proof.proofValue as string };
      };
      const first = await read('revocation');
      expect(first.valid).to.equal(true);
      expect((await read('message')).message).to.equal('active');
      // The same signed copy is served until something changes...
      expect((await read('revocation')).signature).to.equal(first.signature);

      // ...and a change has it signed again at once, not after the 5 minutes.
      await setStatus(vc.id, 'suspended');
      expect((await read('suspension')).valid).to.equal(false);
      expect((await read('message')).message).to.equal('suspended');
      // What verifiers reading only the named entry lose: suspension does not show on it.
      expect((await read('revocation')).valid).to.equal(true);
      await setStatus(vc.id, 'active');
      expect((await read('suspension')).valid).to.equal(true);
      await setStatus(vc.id, 'revoked');
      const revoked = await read('revocation');
      expect(revoked.valid).to.equal(false);
      expect(revoked.signature).not.to.equal(first.signature);
      expect((await read('message')).message).to.equal('revoked');
      // And the gateway's own verification, which reads the ledger, agrees.
      const res = await verify(vc);
      expect(res.body.checks.find((c: any) => c.check === 'status').reason).to.match(/^revoked/);
    });
  });
});
