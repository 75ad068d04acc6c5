/**
 * The bench's anchor client: @hyperledger/fabric-gateway used directly, as any Fabric application
 * would, with none of our gateway's code (no ledger port, no event follower, no validation). It
 * submits `heartbeat:Beat`, the one-key write, and waits for the commit status.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { fastSigner, loadConnectionProfile } from '@edu-ledger/ledger-fabric';

export interface DirectClient {
  /** Submits one beat and resolves once it committed VALID; rejects otherwise. */
  beat(slot: string): Promise<void>;
  close(): void;
}

/**
 * Connects `identityName` of `mspId` to that organisation's own peer (its Gateway service picks
 * the endorsers by discovery), as our gateway connects the same identity.
 */
export function openDirectClient(profilePath: string, mspId: string, identityName: string): DirectClient {
  const profile = loadConnectionProfile(profilePath);
  const org = Object.values(profile.orgs).find((o) => o.mspId === mspId);
  if (!org) throw new Error(`${mspId} is not in ${profilePath}`);
  const dir = join(org.identitiesDir, identityName);
  const client = new grpc.Client(
    org.peer.endpoint,
    grpc.credentials.createSsl(readFileSync(org.peer.tlsRootCert)),
    {
      ...(org.peer.hostAlias ? { 'grpc.ssl_target_name_override': org.peer.hostAlias } : {}),
    },
  );
  const gateway: Gateway = connect({
    client,
    identity: { mspId, credentials: readFileSync(join(dir, 'cert.pem')) },
    // The same OpenSSL signer our gateway uses: the anchor must not pay for a slower client than ours.
    ...fastSigner(createPrivateKey(readFileSync(join(dir, 'key.pem')))),
    // The same deadlines as our gateway's defaults (lib/ledger-fabric DEFAULT_DEADLINES).
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
    submitOptions: () => ({ deadline: Date.now() + 5_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  const contract: Contract = gateway.getNetwork(profile.channel).getContract(profile.chaincode);
  return {
    async beat(slot: string): Promise<void> {
      const submitted = await contract.submitAsync('heartbeat:Beat', {
        arguments: [JSON.stringify({ slot })],
      });
      const status = await submitted.getStatus();
      if (!status.successful)
        throw new Error(`beat ${status.transactionId} committed invalid (code ${status.code})`);
    },
    close(): void {
      gateway.close();
      client.close();
    },
  };
}
