import { decodeJwt } from 'jose';
import { expect } from 'chai';
import { extendAuthentication } from '../src/http/auth.js';
import { OidcVerifier } from '../src/http/oidc.js';
import { startGateway, type Gateway } from './harness.js';
import {
  GATEWAY_AUDIENCE,
  OTHER_AUDIENCE,
  SHORT_LIVED_RESOURCE,
  providerKey,
  startProvider,
  type StaffClaims,
  type TestProvider,
} from './oidc-support.js';

/**
 * Unified identity: access tokens of a real OpenID Connect provider (in-process, on 127.0.0.1)
 * against a real gateway. The token check is the gateway's own (signature from the provider's
 * JWKS, issuer, audience, expiry), then the ledger's role grant for the person.
 */
const SCHOOL_GEN_CODE = '3101010001';
const PERSON = 'PN31010177QZ';
const PEOPLE: Record<string, StaffClaims> = {
  teacher: { school_code: SCHOOL_GEN_CODE, person_no: PERSON, role: 'teacher' },
  'teacher-by-org-id': { org_id: 'school-gen', person_no: PERSON, role: 'teacher' },
  // The same person claiming a role the school never granted them.
  'claims-admin': { school_code: SCHOOL_GEN_CODE, person_no: PERSON, role: 'school-admin' },
  'unknown-school': { school_code: '9999999999', person_no: PERSON, role: 'teacher' },
};

// Not in the Fabric run (test:fabric takes *.api.test.ts): a person's role is granted to a ledger
// identity the gateway holds for that person (`staff-<pseudonym>@<org>`), which the embedded ledger
// creates and a Fabric network would enrol through its CA — not built yet (see docs/production/first-hour.md).
describe('OIDC sign-in of staff (unified identity)', function () {
  this.timeout(120_000);
  let gw: Gateway;
  let provider: TestProvider;
  let impostor: TestProvider;

  before(async () => {
    const key = await providerKey();
    provider = await startProvider(PEOPLE, key);
    // Same signing key, another issuer: only the issuer check can tell its tokens apart.
    impostor = await startProvider(PEOPLE, key);
    gw = await startGateway();
    extendAuthentication(gw.services.tokens, {
      oidc: new OidcVerifier(
        {
          issuer: provider.issuer,
          audience: GATEWAY_AUDIENCE,
          claims: { orgId: 'org_id', schoolCode: 'school_code', person: 'person_no', role: 'role' },
        },
        gw.services,
      ),
    });
    // The school grants the person the teacher role on the ledger (by person number, as a pseudonym).
    await gw.step(
      'POST',
      '/admin/organizations/school-gen/roles/grant',
      gw.tokens['school-admin@school-gen'],
      { person: PERSON, roles: ['teacher'] },
      200,
    );
  });

  after(async () => {
    await gw.close();
    await provider.close();
    await impostor.close();
  });

  const session = async (token: string) => gw.call('GET', '/session', { token });
  const refusal = (res: { status: number; body: any }) => ({
    status: res.status,
    code: res.body.error?.code as string,
    message: res.body.error?.message as string,
  });

  it('accepts a token whose role the ledger grants, by school code or org id', async () => {
    for (const client of ['teacher', 'teacher-by-org-id']) {
      const res = await session(await provider.token(client));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ orgId: 'school-gen', role: 'teacher' });
    }
  });

  it('refuses a role the ledger does not grant that person (403 FORBIDDEN_ROLE)', async () => {
    const res = refusal(await session(await provider.token('claims-admin')));
    expect(res).to.include({ status: 403, code: 'FORBIDDEN_ROLE' });
    expect(res.message).to.include('not granted on the ledger');
    // Nor may it write: the grant, not the provider's claim, decides.
    const issue = await gw.call('POST', '/credentials/issue', {
      token: await provider.token('claims-admin'),
      body: { credential: {} },
    });
    expect(issue.status).to.equal(403);
  });

  it('refuses an organisation the ledger does not know (403 FORBIDDEN_ORG)', async () => {
    expect(refusal(await session(await provider.token('unknown-school')))).to.include({
      status: 403,
      code: 'FORBIDDEN_ORG',
    });
  });

  it('refuses a token for another audience (401)', async () => {
    const res = refusal(await session(await provider.token('teacher', OTHER_AUDIENCE)));
    expect(res).to.include({ status: 401, code: 'UNAUTHENTICATED' });
    expect(res.message).to.include('audience');
  });

  it('refuses a token from another issuer, even one signed with the same key (401)', async () => {
    const res = refusal(await session(await impostor.token('teacher')));
    expect(res).to.include({ status: 401, code: 'UNAUTHENTICATED' });
    expect(res.message).to.include('issuer');
  });

  it('refuses a tampered token (401)', async () => {
    const [header, payload, signature] = (await provider.token('teacher')).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(JSON.stringify({ ...claims, org_id: 'school-voc' })).toString('base64url');
    const res = refusal(await session(`${header}.${forged}.${signature}`));
    expect(res).to.include({ status: 401, code: 'UNAUTHENTICATED' });
    expect(res.message).to.include('signature');
  });

  it('refuses an expired token (401)', async () => {
    const token = await provider.token('teacher', SHORT_LIVED_RESOURCE);
    const exp = decodeJwt(token).exp ?? 0;
    // Waits until the token has expired (its lifetime is one second), not for a duration.
    while (Date.now() <= exp * 1000 + 10) await new Promise((resolve) => setTimeout(resolve, 100));
    const res = refusal(await session(token));
    expect(res).to.include({ status: 401, code: 'UNAUTHENTICATED' });
    expect(res.message).to.include('expired');
  });

  it('stops accepting a person once the ledger grant is revoked', async () => {
    const token = await provider.token('teacher');
    expect((await session(token)).status).to.equal(200);
    await gw.step(
      'POST',
      '/admin/organizations/school-gen/roles/revoke',
      gw.tokens['school-admin@school-gen'],
      { person: PERSON, roles: ['teacher'] },
      200,
    );
    expect(refusal(await session(token))).to.include({ status: 403, code: 'FORBIDDEN_ROLE' });
    await gw.step(
      'POST',
      '/admin/organizations/school-gen/roles/grant',
      gw.tokens['school-admin@school-gen'],
      { person: PERSON, roles: ['teacher'] },
      200,
    );
  });

  it('keeps bearer tokens working for machine clients, and a grant needs the school’s own admin', async () => {
    expect((await session(gw.tokens['verifier@university'] ?? '')).status).to.equal(200);
    await gw.step(
      'POST',
      '/admin/organizations/school-gen/roles/grant',
      gw.tokens['school-admin@school-voc'],
      { person: PERSON, roles: ['school-admin'] },
      403,
      'FORBIDDEN_ORG',
    );
  });

  it('never puts the person number on the ledger or in the logs', async () => {
    const files = await gw.ledgerFiles();
    const { readFileSync } = await import('node:fs');
    for (const file of files) expect(readFileSync(file).includes(PERSON), file).to.equal(false);
    expect(gw.logLines.join('')).to.not.include(PERSON);
  });
});
