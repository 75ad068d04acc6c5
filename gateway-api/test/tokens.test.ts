import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { GatewayDb } from '../src/stores/gateway-db.js';
import { TokenStore } from '../src/stores/tokens.js';

describe('bearer token store', () => {
  let dir: string;
  let db: GatewayDb;
  const masterKey = randomBytes(32);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-tokens-'));
    db = await GatewayDb.open(join(dir, 'gateway'));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a token from memory after the first use, and refuses it as soon as it is revoked', async () => {
    const store = new TokenStore(db, masterKey);
    const principal = { orgId: 'school-gen', role: 'school-admin' as const, label: 'registrar' };
    const token = await store.create(principal);
    expect(await store.resolve(token)).to.deep.equal(principal);
    // A caller changing its copy cannot change what the next request sees.
    const copy = await store.resolve(token);
    if (copy) copy.role = 'bureau-admin';
    expect(await store.resolve(token)).to.deep.equal(principal);

    await store.revoke(token);
    expect(await store.resolve(token)).to.equal(undefined);
    // And after a restart the revocation holds (it was written, not only forgotten).
    expect(await new TokenStore(db, masterKey).resolve(token)).to.equal(undefined);
    expect(await store.resolve('edu_not-a-token')).to.equal(undefined);
  });

  it('refuses a row written or edited without the master key', async () => {
    const store = new TokenStore(db, masterKey);
    const token = await store.create({ orgId: 'school-gen', role: 'teacher', label: 'staff' });
    const key = createHash('sha256').update(token).digest('hex');
    const row = JSON.parse((await db.tokens.get(key)) ?? '{}');
    // Promote the teacher by editing the stored row.
    await db.tokens.put(key, JSON.stringify({ ...row, orgId: 'bureau', role: 'bureau-admin' }));
    expect(await new TokenStore(db, masterKey).resolve(token)).to.equal(undefined);
    // A row forged from scratch for a token of the attacker's choosing, with a made-up MAC.
    const forged = 'edu_forged-token';
    const forgedKey = createHash('sha256').update(forged).digest('hex');
    await db.tokens.put(
      forgedKey,
      JSON.stringify({ orgId: 'bureau', role: 'bureau-admin', label: 'x', mac: 'ab'.repeat(32) }),
    );
    expect(await new TokenStore(db, masterKey).resolve(forged)).to.equal(undefined);
    // The same row without a MAC (as rows were once stored) is refused too.
    await db.tokens.put(forgedKey, JSON.stringify({ orgId: 'bureau', role: 'bureau-admin', label: 'x' }));
    expect(await new TokenStore(db, masterKey).resolve(forged)).to.equal(undefined);
    // The untouched token of another store with another master key does not resolve either.
    const other = await store.create({ orgId: 'school-gen', role: 'teacher', label: 'staff' });
    expect(await new TokenStore(db, randomBytes(32)).resolve(other)).to.equal(undefined);
    expect(await new TokenStore(db, masterKey).resolve(other)).to.deep.equal({
      orgId: 'school-gen',
      role: 'teacher',
      label: 'staff',
    });
  });
});
