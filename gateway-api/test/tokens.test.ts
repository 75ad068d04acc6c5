import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { GatewayDb } from '../src/stores/gateway-db.js';
import { TokenStore } from '../src/stores/tokens.js';

describe('bearer token store', () => {
  let dir: string;
  let db: GatewayDb;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-tokens-'));
    db = await GatewayDb.open(join(dir, 'gateway'));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a token from memory after the first use, and refuses it as soon as it is revoked', async () => {
    const store = new TokenStore(db);
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
    expect(await new TokenStore(db).resolve(token)).to.equal(undefined);
    expect(await store.resolve('edu_not-a-token')).to.equal(undefined);
  });
});
