import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { FabricLedger, loadConnectionProfile } from '@edu-ledger/ledger-fabric';
import { cachedFabric } from '../../test-network/src/build.js';
import { deployChaincode } from '../../test-network/src/network.js';
import { peerCliEnv } from '../../test-network/src/nodes.js';
import { statePaths, topology } from '../../test-network/src/topology.js';
import { achievementRequest, startGateway, type Gateway } from '../../gateway-api/test/harness.js';

const run = promisify(execFile);

/**
 * What the README promises an operator: a record written through the gateway reads back by hand
 * with Fabric's own `peer chaincode query`, from another organisation's peer, with the content the
 * API returns.
 */
describe("Fabric: Fabric's own peer CLI reads what the gateway wrote", function () {
  this.timeout(180_000);
  let gw: Gateway;
  let chaincode: string;

  before(async () => {
    chaincode = `edu-cli${randomBytes(3).toString('hex')}`;
    await deployChaincode(chaincode);
    const profile = loadConnectionProfile(statePaths().connection);
    const mspIds = Object.values(profile.orgs).map((o) => o.mspId);
    gw = await startGateway({ ledger: await FabricLedger.open({ profile, mspIds, chaincode }) });
  });
  after(() => gw?.close());

  async function peerQuery(orgId: string, fn: string, request: object): Promise<unknown> {
    const peer = topology().peers.find((p) => p.org.orgId === orgId);
    const fabric = cachedFabric();
    if (!peer || !fabric) throw new Error('the test network is not built');
    const args = JSON.stringify({ Args: [fn, JSON.stringify(request)] });
    const { stdout } = await run(
      fabric.bin('peer'),
      ['chaincode', 'query', '-C', 'edu', '-n', chaincode, '-c', args],
      { env: peerCliEnv(statePaths(), peer) },
    );
    return JSON.parse(stdout) as unknown;
  }

  it('reads an organisation as GET /organizations/{orgId} shows it', async () => {
    const api = await gw.step('GET', '/organizations/school-gen', undefined, undefined, 200);
    expect(await peerQuery('university', 'registry:GetOrganization', { orgId: 'school-gen' })).to.deep.equal(
      api.organization,
    );
  });

  it('reads the anchor of a credential issued through the API, in the block the verifier names', async () => {
    const holder = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const issued = await gw.step(
      'POST',
      '/credentials/issue',
      gw.tokens['school-admin@school-gen'],
      achievementRequest(holder),
      201,
    );
    const vc = issued.verifiableCredential;
    const verified = await gw.step(
      'POST',
      '/credentials/verify',
      undefined,
      { verifiableCredential: vc },
      200,
    );
    const anchored = verified.checks.find((c: { check: string }) => c.check === 'anchored');
    const anchor = await peerQuery('provider', 'credentials:GetCredentialAnchor', { credentialId: vc.id });
    expect(anchor).to.deep.include({
      credentialId: vc.id,
      issuerOrgId: 'school-gen',
      txId: anchored.details.txId,
      batchRoot: anchored.details.batchRoot,
    });
  });
});
