import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { DomainError } from '@edu-ledger/domain';
import { FabricLedger, loadConnectionProfile } from '@edu-ledger/ledger-fabric';
import { deployChaincode } from '../../test-network/src/network.js';
import { statePaths } from '../../test-network/src/topology.js';
import { achievementRequest, startGateway, type Gateway } from '../../gateway-api/test/harness.js';

/**
 * Two organisations' gateways on one Fabric channel, as a region deploys them: the bureau's
 * regional platform acts for the bureau, its schools and the training provider; the university
 * runs its own and holds only its own identities. What one writes, the other reads from the ledger.
 */
describe('Fabric: the regional platform and the university, each with its own gateway', function () {
  this.timeout(300_000);
  const platformMsps = ['BureauMSP', 'SchoolGenMSP', 'SchoolVocMSP', 'ProviderMSP'];
  let platform: Gateway;
  let university: Gateway;
  let universityLedger: FabricLedger;

  before(async () => {
    const chaincode = `edu-2gw${randomBytes(3).toString('hex')}`;
    await deployChaincode(chaincode);
    const profile = loadConnectionProfile(statePaths().connection);
    const open = (mspIds: string[]) => FabricLedger.open({ profile, mspIds, chaincode });
    platform = await startGateway({ ledger: await open(platformMsps) });
    universityLedger = await open(['UniversityMSP']);
    university = await startGateway({ ledger: universityLedger });
  });

  after(async () => {
    await platform?.close();
    await university?.close();
  });

  it('issues tokens only for the organisations each gateway acts for', () => {
    expect(Object.keys(platform.tokens)).to.include('school-admin@school-gen');
    expect(Object.keys(platform.tokens).some((t) => t.endsWith('@university'))).to.equal(false);
    expect(Object.keys(university.tokens).every((t) => t.endsWith('@university'))).to.equal(true);
    expect(Object.keys(university.tokens)).to.include('verifier@university');
  });

  it('holds no key of another organisation: the university gateway cannot act as a school', async () => {
    let refused: unknown;
    try {
      await universityLedger.identity('SchoolGenMSP', 'admin@school-gen', 'admin');
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(DomainError);
    expect((refused as DomainError).code).to.equal('NOT_FOUND');
  });

  it('verifies at the university a credential a school issued through the platform', async () => {
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(11))).did;
    const issued = await platform.call('POST', '/credentials/issue', {
      token: platform.tokens['school-admin@school-gen'],
      body: achievementRequest(holder),
    });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    const vc = issued.body.verifiableCredential;
    const verified = await university.call('POST', '/credentials/verify', {
      body: { verifiableCredential: vc },
    });
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
    expect(verified.body.verified).to.equal(true);
    const anchored = verified.body.checks.find((c: { check: string }) => c.check === 'anchored');
    expect(anchored.status).to.equal('valid');
    expect(await universityLedger.locateTransaction(anchored.details.txId)).to.include({
      validationCode: 'VALID',
    });
  });

  it('sees a revocation made through the platform when verifying at the university', async () => {
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(12))).did;
    const token = platform.tokens['school-admin@school-gen'];
    const issued = await platform.step('POST', '/credentials/issue', token, achievementRequest(holder), 201);
    const vc = issued.verifiableCredential;
    await platform.step(
      'POST',
      '/credentials/status',
      token,
      {
        credentialId: vc.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
        options: { reasonCode: 'issued-in-error' },
      },
      200,
    );
    const verified = await university.call('POST', '/credentials/verify', {
      body: { verifiableCredential: vc },
    });
    expect(verified.body.verified).to.equal(false);
    const status = verified.body.checks.find((c: { check: string }) => c.check === 'status');
    expect(status.status).to.equal('invalid');
  });
});
