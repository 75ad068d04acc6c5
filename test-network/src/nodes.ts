/**
 * Starting orderers and peers as native processes: Fabric's sample orderer.yaml and our core.yaml
 * (crypto.ts) hold the defaults; each node's identity, ports and folders come from its environment.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FabricInstall } from './build.js';
import { httpGet, isOurs, spawnDetached, StepError, tailFile, waitUntil } from './proc.js';
import {
  ORDERER_DOMAIN,
  ORDERER_MSP,
  ordererTlsCa,
  peerOrgAdminMsp,
  peerTlsCa,
  type OrdererNode,
  type PeerOrg,
  type PeerNode,
  type StatePaths,
} from './topology.js';

/** INFO diagnoses a failed step; gRPC's INFO lines (every connection state change) are only noise. */
const LOGGING_SPEC = process.env.FABRIC_LOGGING_SPEC ?? 'info:grpc=warning';

function ordererEnv(fabric: FabricInstall, paths: StatePaths, o: OrdererNode): NodeJS.ProcessEnv {
  const dir = join(paths.ordererOrg, 'orderers', o.host);
  const tls = join(dir, 'tls');
  const data = join(paths.data, o.name);
  return {
    PATH: process.env.PATH,
    FABRIC_CFG_PATH: fabric.configDir,
    FABRIC_LOGGING_SPEC: LOGGING_SPEC,
    ORDERER_GENERAL_LISTENADDRESS: '127.0.0.1',
    ORDERER_GENERAL_LISTENPORT: String(o.port),
    ORDERER_GENERAL_LOCALMSPID: ORDERER_MSP,
    ORDERER_GENERAL_LOCALMSPDIR: join(dir, 'msp'),
    ORDERER_GENERAL_TLS_ENABLED: 'true',
    ORDERER_GENERAL_TLS_PRIVATEKEY: join(tls, 'server.key'),
    ORDERER_GENERAL_TLS_CERTIFICATE: join(tls, 'server.crt'),
    ORDERER_GENERAL_TLS_ROOTCAS: `[${join(tls, 'ca.crt')}]`,
    // No system channel: channels are joined through the admin endpoint (channel participation).
    ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
    ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
    // The admin endpoint takes mutual TLS: only the orderer org's admin (osnadmin) may join channels.
    ORDERER_ADMIN_LISTENADDRESS: `127.0.0.1:${o.adminPort}`,
    ORDERER_ADMIN_TLS_ENABLED: 'true',
    ORDERER_ADMIN_TLS_CERTIFICATE: join(tls, 'server.crt'),
    ORDERER_ADMIN_TLS_PRIVATEKEY: join(tls, 'server.key'),
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
    ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${ordererTlsCa(paths)}]`,
    ORDERER_FILELEDGER_LOCATION: join(data, 'ledger'),
    ORDERER_CONSENSUS_WALDIR: join(data, 'etcdraft', 'wal'),
    ORDERER_CONSENSUS_SNAPDIR: join(data, 'etcdraft', 'snapshot'),
    // Operations (health, metrics) stay plain HTTP on loopback: `status` and readiness read them.
    ORDERER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${o.opsPort}`,
    ORDERER_METRICS_PROVIDER: 'prometheus',
  };
}

function peerEnv(paths: StatePaths, p: PeerNode): NodeJS.ProcessEnv {
  const dir = join(paths.peerOrg(p.org), 'peers', p.host);
  const tls = join(dir, 'tls');
  const data = join(paths.data, p.name);
  const self = `127.0.0.1:${p.port}`;
  return {
    PATH: process.env.PATH,
    FABRIC_CFG_PATH: paths.peerConfig,
    FABRIC_LOGGING_SPEC: LOGGING_SPEC,
    CORE_PEER_ID: p.host,
    CORE_PEER_ADDRESS: self,
    CORE_PEER_LISTENADDRESS: self,
    CORE_PEER_CHAINCODEADDRESS: `127.0.0.1:${p.chaincodePort}`,
    CORE_PEER_CHAINCODELISTENADDRESS: `127.0.0.1:${p.chaincodePort}`,
    CORE_PEER_LOCALMSPID: p.org.mspId,
    CORE_PEER_MSPCONFIGPATH: join(dir, 'msp'),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_CERT_FILE: join(tls, 'server.crt'),
    CORE_PEER_TLS_KEY_FILE: join(tls, 'server.key'),
    // Every org's TLS CA, not just its own: peers join the channel (which carries the other orgs'
    // CAs) a moment apart, and gossip dials in that moment would otherwise fail TLS and wait to retry.
    CORE_PEER_TLS_ROOTCERT_FILE: tlsRootsBundle(paths),
    // One peer per org: it bootstraps gossip from itself, and the external endpoint is what other
    // orgs (via the anchor peers) and discovery hand out, so it must be dialable: 127.0.0.1.
    CORE_PEER_GOSSIP_BOOTSTRAP: self,
    CORE_PEER_GOSSIP_EXTERNALENDPOINT: self,
    CORE_PEER_GOSSIP_USELEADERELECTION: 'false',
    CORE_PEER_GOSSIP_ORGLEADER: 'true',
    // Peers join the channel within a second of each other, so a peer's first dial of another
    // org's anchor can fail (that peer has not joined yet: "Could not acquire policy manager").
    // The default 25 s before redialling would hold `up` for 25 s; 1 s costs nothing on five peers.
    CORE_PEER_GOSSIP_RECONNECTINTERVAL: '1s',
    // How often the membership view (and its metric, which `up` waits on) is refreshed; default 5 s.
    CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: '1s',
    // The TimeWindowCheck filter refuses a proposal whose client-chosen timestamp is further than
    // this from the peer's clock, which bounds how far a client can move an anchor's time (15 min
    // by default; the peers share one clock here, a real consortium runs NTP).
    CORE_PEER_AUTHENTICATION_TIMEWINDOW: '5m',
    CORE_PEER_FILESYSTEMPATH: join(data, 'production'),
    CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(data, 'snapshots'),
    CORE_OPERATIONS_LISTENADDRESS: `127.0.0.1:${p.opsPort}`,
    CORE_METRICS_PROVIDER: 'prometheus',
  };
}

/** All peer orgs' and the orderer org's TLS CA certificates in one PEM file. */
export function tlsRootsBundle(paths: StatePaths): string {
  return join(paths.config, 'tls-roots.pem');
}

export function writeTlsRootsBundle(paths: StatePaths, orgs: readonly PeerOrg[]): void {
  const pems = [ordererTlsCa(paths), ...orgs.map((o) => peerTlsCa(paths, o))].map((f) =>
    readFileSync(f, 'utf8'),
  );
  writeFileSync(tlsRootsBundle(paths), pems.join(''));
}

export function startOrderer(fabric: FabricInstall, paths: StatePaths, o: OrdererNode): number {
  mkdirSync(join(paths.data, o.name), { recursive: true });
  return spawnDetached({
    name: o.name,
    cmd: fabric.bin('orderer'),
    args: [],
    env: ordererEnv(fabric, paths, o),
    stateRoot: paths.root,
    logFile: join(paths.logs, `${o.name}.log`),
    pidDir: paths.pids,
  });
}

export function startPeer(fabric: FabricInstall, paths: StatePaths, p: PeerNode): number {
  mkdirSync(join(paths.data, p.name), { recursive: true });
  return spawnDetached({
    name: p.name,
    cmd: fabric.bin('peer'),
    args: ['node', 'start'],
    env: peerEnv(paths, p),
    stateRoot: paths.root,
    logFile: join(paths.logs, `${p.name}.log`),
    pidDir: paths.pids,
  });
}

/** Waits for the node's /healthz to answer 200; a node that exits meanwhile fails with its log. */
export async function waitHealthy(
  paths: StatePaths,
  node: OrdererNode | PeerNode,
  pid: number,
): Promise<void> {
  const log = join(paths.logs, `${node.name}.log`);
  const step = `start ${node.name}`;
  await waitUntil(
    async () => {
      if (!isOurs(pid, paths.root, node.name))
        throw new StepError(step, `exited during start-up`, undefined, tailFile(log));
      const res = await httpGet(`http://127.0.0.1:${node.opsPort}/healthz`);
      return res.status === 200 ? true : undefined;
    },
    30_000,
    () =>
      new StepError(
        step,
        `not healthy after 30 s (http://127.0.0.1:${node.opsPort}/healthz)`,
        undefined,
        tailFile(log),
      ),
  );
}

/** Environment for the `peer` CLI acting as an org's cryptogen Admin@<domain> against its own peer. */
export function peerCliEnv(paths: StatePaths, p: PeerNode): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FABRIC_CFG_PATH: paths.peerConfig,
    // The CLI prints its failure as "Error: ..." regardless; its gRPC warnings are noise.
    FABRIC_LOGGING_SPEC: 'error',
    CORE_PEER_ADDRESS: `127.0.0.1:${p.port}`,
    CORE_PEER_LOCALMSPID: p.org.mspId,
    CORE_PEER_MSPCONFIGPATH: peerOrgAdminMsp(paths, p.org),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: join(paths.peerOrg(p.org), 'peers', p.host, 'tls', 'ca.crt'),
  };
}

/** osnadmin's mutual-TLS arguments: the orderer org's Admin TLS client certificate. */
export function osnadminTlsArgs(paths: StatePaths): string[] {
  const tls = join(paths.ordererOrg, 'users', `Admin@${ORDERER_DOMAIN}`, 'tls');
  return [
    '--ca-file',
    ordererTlsCa(paths),
    '--client-cert',
    join(tls, 'client.crt'),
    '--client-key',
    join(tls, 'client.key'),
  ];
}
