/**
 * The `edu` channel: genesis block from network/configtx.yaml, orderers joined through their admin
 * endpoints (channel participation, no system channel), peers joined with the same block.
 */
import { join } from 'node:path';
import type { FabricInstall } from './build.js';
import { peerCliEnv, osnadminTlsArgs } from './nodes.js';
import { httpGet, run, StepError, waitUntil } from './proc.js';
import {
  CHANNEL,
  peerOrgAdminMsp,
  peerTlsCa,
  type OrdererNode,
  type PeerNode,
  type StatePaths,
  type Topology,
} from './topology.js';

export function genesisBlock(paths: StatePaths): string {
  return join(paths.artifacts, `${CHANNEL}.block`);
}

export async function createGenesisBlock(
  fabric: FabricInstall,
  paths: StatePaths,
  configDir: string,
): Promise<void> {
  await run(
    fabric.bin('configtxgen'),
    ['-profile', 'EduChannel', '-channelID', CHANNEL, '-outputBlock', genesisBlock(paths)],
    {
      step: 'create the channel genesis block (configtxgen)',
      env: { ...process.env, FABRIC_CFG_PATH: configDir },
    },
  );
}

export async function joinOrderers(
  fabric: FabricInstall,
  paths: StatePaths,
  orderers: readonly OrdererNode[],
) {
  await Promise.all(
    orderers.map((o) =>
      run(
        fabric.bin('osnadmin'),
        [
          'channel',
          'join',
          '--channelID',
          CHANNEL,
          '--config-block',
          genesisBlock(paths),
          '-o',
          `127.0.0.1:${o.adminPort}`,
        ].concat(osnadminTlsArgs(paths)),
        { step: `join ${o.name} to channel ${CHANNEL} (osnadmin)` },
      ),
    ),
  );
}

/** Reads one Prometheus sample `name{channel="edu"}` from a node's operations endpoint. */
export async function channelMetric(opsPort: number, name: string): Promise<number | undefined> {
  const { status, body } = await httpGet(`http://127.0.0.1:${opsPort}/metrics`);
  if (status !== 200) return undefined;
  const line = body.split('\n').find((l) => l.startsWith(`${name}{channel="${CHANNEL}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/**
 * Transactions fail ("no Raft leader") until the three consenters have elected one, about two
 * election timeouts after the joins; the orderers' is_leader gauge says when.
 */
export async function waitForRaftLeader(orderers: readonly OrdererNode[]): Promise<string> {
  return waitUntil(
    async () => {
      for (const o of orderers) {
        if ((await channelMetric(o.opsPort, 'consensus_etcdraft_is_leader').catch(() => undefined)) === 1)
          return o.name;
      }
      return undefined;
    },
    60_000,
    () =>
      new StepError(
        'elect a Raft leader',
        `no orderer reports consensus_etcdraft_is_leader=1 for ${CHANNEL} after 60 s`,
      ),
    200,
  );
}

export async function joinPeers(
  fabric: FabricInstall,
  paths: StatePaths,
  peers: readonly PeerNode[],
): Promise<void> {
  await Promise.all(
    peers.map((p) =>
      run(fabric.bin('peer'), ['channel', 'join', '-b', genesisBlock(paths)], {
        step: `join ${p.name} to channel ${CHANNEL}`,
        env: peerCliEnv(paths, p),
      }),
    ),
  );
}

/**
 * Gossip across orgs is what discovery (and so the peer-side Gateway) sees: wait until every peer
 * knows every other peer on the channel (gossip_membership_total_peers_known).
 */
export async function waitForGossip(topo: Topology): Promise<void> {
  const others = topo.peers.length - 1;
  let seen = '';
  await waitUntil(
    async () => {
      const known = await Promise.all(
        topo.peers.map((p) => channelMetric(p.opsPort, 'gossip_membership_total_peers_known')),
      );
      seen = topo.peers.map((p, i) => `${p.name} knows ${known[i] ?? '?'}`).join(', ');
      return known.every((k) => k !== undefined && k >= others) ? true : undefined;
    },
    60_000,
    () =>
      new StepError(
        'gossip membership',
        `after 60 s, not every peer knows the ${others} others on ${CHANNEL} (anchor peers, external endpoints, TLS SANs?)`,
        undefined,
        seen,
      ),
    250,
  );
}

interface EndorsementDescriptor {
  EndorsersByGroups?: Record<string, { MSPID?: string }[]>;
}

/**
 * Waits until discovery on every peer offers an endorser of `chaincode` in every org: the
 * peer-side Gateway plans endorsements from exactly this, so a test can submit through any org's
 * peer as soon as it returns. Peers announce a new definition over gossip right after committing it.
 */
export async function waitDiscoverable(
  fabric: FabricInstall,
  paths: StatePaths,
  topo: Topology,
  chaincode: string,
) {
  await Promise.all(topo.peers.map((p) => waitDiscoverableOn(fabric, paths, topo, chaincode, p)));
}

async function waitDiscoverableOn(
  fabric: FabricInstall,
  paths: StatePaths,
  topo: Topology,
  chaincode: string,
  peer: PeerNode,
): Promise<void> {
  const admin = peerOrgAdminMsp(paths, peer.org);
  const args = ['--peerTLSCA', peerTlsCa(paths, peer.org), '--userKey', join(admin, 'keystore', 'priv_sk')]
    .concat([
      '--userCert',
      join(admin, 'signcerts', `Admin@${peer.org.domain}-cert.pem`),
      '--MSP',
      peer.org.mspId,
    ])
    .concat([
      'endorsers',
      '--channel',
      CHANNEL,
      '--server',
      `127.0.0.1:${peer.port}`,
      '--chaincode',
      chaincode,
    ]);
  const wanted = topo.peers.map((p) => p.org.mspId);
  const step = `discover endorsers of ${chaincode} on ${peer.name}`;
  let last = '';
  await waitUntil(
    async () => {
      const out = await run(fabric.bin('discover'), args, { step }).catch((error: unknown) => {
        last = String(error);
        return undefined;
      });
      if (out === undefined) return undefined;
      const found = new Set(
        (JSON.parse(out) as EndorsementDescriptor[]).flatMap((d) =>
          Object.values(d.EndorsersByGroups ?? {}).flatMap((g) => g.map((e) => e.MSPID ?? '')),
        ),
      );
      last = `endorsers seen: ${[...found].join(', ') || 'none'}`;
      return wanted.every((m) => found.has(m)) ? true : undefined;
    },
    30_000,
    () => new StepError(step, 'not every org offers an endorser after 30 s', undefined, last),
    200,
  );
}
