import { expect } from 'chai';
import { startGateway, type Gateway } from './harness.js';

/** Named staff access behind `edu-admin staff`: roles, expiry, revocation, tokens stored as hashes only. */
describe('staff access (edu-admin staff)', function () {
  this.timeout(120_000);
  let gw: Gateway;
  const bureau = () => gw.tokens['bureau-admin@bureau'];
  const schoolAdmin = () => gw.tokens['school-admin@school-gen'];

  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw.close();
  });

  const create = (token: string | undefined, body: Record<string, unknown>) =>
    gw.call('POST', '/admin/staff', { token, body });

  it('gives a named staff member a token that works until its expiry, then is refused', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const res = await create(schoolAdmin(), {
      orgId: 'school-gen',
      role: 'teacher',
      name: '张老师',
      expiresAt,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const { token, access } = res.body as { token: string; access: { accessId: string } };
    const before = await gw.call('GET', '/session', { token });
    expect(before.body).to.include({ orgId: 'school-gen', role: 'teacher' });
    // Waits until the expiry instant has passed (not for a duration).
    while (Date.now() <= Date.parse(expiresAt) + 10) await new Promise((r) => setTimeout(r, 100));
    const after = await gw.call('GET', '/session', { token });
    expect(after.status).to.equal(401);
    expect(after.body.error.code).to.equal('UNAUTHENTICATED');
    // The expired access is still listed (so an administrator sees it), and the store holds no token.
    const list = await gw.call('GET', '/admin/staff?orgId=school-gen', { token: schoolAdmin() });
    expect(list.body.map((a: { accessId: string }) => a.accessId)).to.include(access.accessId);
    expect(JSON.stringify(list.body)).to.not.include(token);
    for await (const [key, value] of gw.services.db.tokens.iterator()) {
      expect(key + value).to.not.include(token);
    }
  });

  it('revokes access from the next request on', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await create(bureau(), {
      orgId: 'school-gen',
      role: 'school-admin',
      name: '李校长',
      expiresAt,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const { token, access } = res.body as { token: string; access: { accessId: string } };
    expect((await gw.call('GET', '/session', { token })).status).to.equal(200);
    await gw.step('DELETE', `/admin/staff/${access.accessId}`, schoolAdmin(), undefined, 200);
    expect((await gw.call('GET', '/session', { token })).status).to.equal(401);
    await gw.step('DELETE', `/admin/staff/${access.accessId}`, schoolAdmin(), undefined, 404, 'NOT_FOUND');
  });

  it('refuses what an administrator may not give', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    // A school cannot hold the inspector role; another school's admin cannot manage this school.
    await gw.step(
      'POST',
      '/admin/staff',
      schoolAdmin(),
      { orgId: 'school-gen', role: 'inspector', name: 'x', expiresAt },
      400,
      'INVALID_ARGUMENT',
    );
    await gw.step(
      'POST',
      '/admin/staff',
      gw.tokens['school-admin@school-voc'],
      { orgId: 'school-gen', role: 'teacher', name: 'x', expiresAt },
      403,
      'FORBIDDEN_ORG',
    );
    await gw.step(
      'POST',
      '/admin/staff',
      gw.tokens['teacher@school-gen'],
      { orgId: 'school-gen', role: 'teacher', name: 'x', expiresAt },
      403,
      'FORBIDDEN_ROLE',
    );
    await gw.step(
      'POST',
      '/admin/staff',
      schoolAdmin(),
      { orgId: 'school-gen', role: 'teacher', name: 'x', expiresAt: '2000-01-01T00:00:00Z' },
      400,
      'INVALID_ARGUMENT',
    );
    await gw.step(
      'POST',
      '/admin/staff',
      schoolAdmin(),
      { orgId: 'school-gen', role: 'teacher' },
      400,
      'INVALID_ARGUMENT',
    );
  });

  it('lets only an organisation’s own administrator register or rotate its key', async () => {
    await gw.step(
      'POST',
      '/admin/organizations/school-gen/keys',
      bureau(),
      { rotate: true },
      403,
      'FORBIDDEN_ORG',
    );
    await gw.step('POST', '/admin/organizations/school-gen/keys', schoolAdmin(), {}, 409, 'ALREADY_EXISTS');
    const rotated = await gw.step(
      'POST',
      '/admin/organizations/school-gen/keys',
      schoolAdmin(),
      { rotate: true },
      201,
    );
    expect(rotated.keyId).to.match(/#key-2$/);
  });

  it('leaves registering organisations and accreditations to the registry contract', async () => {
    // A school administrator is refused by the route; a bureau's duplicate by the chaincode.
    const org = {
      orgId: 'school-new',
      kind: 'school',
      mspId: 'SchoolNewMSP',
      name: { zh: '新学校', en: 'New School' },
      did: 'did:web:edu.example.cn:orgs:school-new',
      schoolCode: '3101010077',
    };
    await gw.step('POST', '/admin/organizations', schoolAdmin(), org, 403, 'FORBIDDEN_ROLE');
    await gw.step('POST', '/admin/organizations', bureau(), org, 201);
    await gw.step('POST', '/admin/organizations', bureau(), org, 409, 'ALREADY_EXISTS');
    const window = { validFrom: '2026-01-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z' };
    await gw.step(
      'POST',
      '/admin/organizations/school-new/accreditations',
      bureau(),
      { accreditationId: 'new-ob', credentialTypes: ['OpenBadgeCredential'], ...window },
      201,
    );
    await gw.step(
      'POST',
      '/admin/organizations/school-new/accreditations',
      bureau(),
      { accreditationId: 'new-ob', credentialTypes: ['OpenBadgeCredential'], ...window },
      409,
      'ALREADY_EXISTS',
    );
  });
});
