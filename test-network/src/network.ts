/**
 * The test network's API: up(), down(), status(), deployChaincode(name). The CLI (cli.ts) and tests
 * both call these. Every node is a native process on 127.0.0.1 started detached, with its pid in
 * .state/pids and its output in .state/logs, so the network outlives the process that started it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFabric, cachedFabric, type FabricInstall } from './build.js';
import {
  checkChaincodeName,
  checkChaincodeServer,
  chaincodeServerCommand,
  defineChaincode,
  installEverywhere,
  packageChaincode,
  probeChaincode,
  startChaincodeServer,
} from './chaincode.js';
import {
  channelMetric,
  createGenesisBlock,
  joinOrderers,
  joinPeers,
  waitDiscoverable,
  waitForGossip,
  waitForRaftLeader,
} from './channel.js';
import { writeConnectionProfile } from './connection.js';
import { generateCrypto, issueIdentities, writeConfigtx, writeCoreYaml } from './crypto.js';
import { startOrderer, startPeer, waitHealthy, writeTlsRootsBundle } from './nodes.js';
import {
  checkPortsFree,
  progress,
  readPids,
  run,
  scanOurProcesses,
  stopProcess,
  StepError,
  type PidEntry,
  withLock,
} from './proc.js';
import {
  CHAINCODE_NAME,
  CHANNEL,
  PEER_ORGS,
  statePaths,
  topology,
  type StatePaths,
  type Topology,
} from './topology.js';

/** What `up` records in .state/network.json once the network is complete. */
export interface NetworkRecord {
  portBase: number;
  channel: string;
  chaincode: string;
  packageId: string;
  chaincodeServer: string;
  binDir: string;
  connectionProfile: string;
  startedAt: string;
  upSeconds: number;
}

export interface UpResult extends NetworkRecord {
  alreadyRunning: boolean;
}

function readRecord(paths: StatePaths): NetworkRecord | undefined {
  if (!existsSync(paths.network)) return undefined;
  return JSON.parse(readFileSync(paths.network, 'utf8')) as NetworkRecord;
}

function expectedNodes(topo: Topology): string[] {
  return [...topo.orderers.map((o) => o.name), ...topo.peers.map((p) => p.name), 'chaincode'];
}

/**
 * The lock that serialises up() and down() across processes. Not inside the state dir (down
 * removes that while holding the lock) and not in the checkout: in the temp dir, keyed by the state dir.
 */
const lockDir = (paths: StatePaths): string =>
  join(
    tmpdir(),
    `edu-ledger-network-${createHash('sha256').update(paths.root).digest('hex').slice(0, 16)}.lock`,
  );

/** Starts the whole network, or reports the one already running. */
export function up(): Promise<UpResult> {
  const paths = statePaths();
  return withLock(lockDir(paths), 'network up/down', () => upLocked(paths));
}

async function upLocked(paths: StatePaths): Promise<UpResult> {
  const t0 = Date.now();
  const running = readRecord(paths);
  if (running !== undefined) {
    const alive = new Set(
      readPids(paths.pids, paths.root)
        .filter((e) => e.alive)
        .map((e) => e.name),
    );
    if (expectedNodes(topology(running.portBase)).every((n) => alive.has(n))) {
      progress(`network already running (started ${running.startedAt}); \`down\` first to restart it`);
      return { ...running, alreadyRunning: true };
    }
  }
  // Checks that need nothing stopped come first, so a missing toolchain leaves a running network alone.
  checkChaincodeServer();
  await run('openssl', ['version'], { step: 'check openssl' });
  const fabric = await ensureFabric();
  if (existsSync(paths.root)) {
    progress('a previous network is incomplete or stopped: cleaning it up');
    await downLocked(paths);
  }
  const topo = topology();
  await checkPortsFree(ports(topo));
  try {
    const record = await bringUp(fabric, paths, topo);
    record.upSeconds = Math.round((Date.now() - t0) / 100) / 10;
    writeFileSync(paths.network, JSON.stringify(record, null, 2));
    progress(
      `network up in ${record.upSeconds} s (including any build); connection profile: ${record.connectionProfile}`,
    );
    return { ...record, alreadyRunning: false };
  } catch (error) {
    // Stop what we started, keep the logs in .state for reading; the next `up` cleans it.
    progress('up failed: stopping the nodes it started (logs kept in .state/logs)');
    await stopAll(paths);
    throw error;
  }
}

function ports(topo: Topology): { port: number; owner: string }[] {
  return [
    ...topo.orderers.flatMap((o) => [
      { port: o.port, owner: `${o.name} listen` },
      { port: o.adminPort, owner: `${o.name} admin` },
      { port: o.opsPort, owner: `${o.name} operations` },
    ]),
    ...topo.peers.flatMap((p) => [
      { port: p.port, owner: `${p.name} listen` },
      { port: p.chaincodePort, owner: `${p.name} chaincode` },
      { port: p.opsPort, owner: `${p.name} operations` },
    ]),
    { port: topo.chaincodeServerPort, owner: 'chaincode server' },
  ];
}

async function bringUp(fabric: FabricInstall, paths: StatePaths, topo: Topology): Promise<NetworkRecord> {
  for (const dir of [paths.root, paths.artifacts, paths.data, paths.logs, paths.pids]) {
    mkdirSync(dir, { recursive: true });
  }

  progress('crypto material (cryptogen), channel config, genesis block');
  await generateCrypto(fabric, paths);
  const identities = issueIdentities(paths); // openssl, in parallel with starting the nodes
  writeCoreYaml(fabric, paths);
  writeTlsRootsBundle(paths, PEER_ORGS);
  await createGenesisBlock(fabric, paths, writeConfigtx(paths, topo));

  progress(`starting ${topo.orderers.length} orderers and ${topo.peers.length} peers`);
  const nodes = [
    ...topo.orderers.map((o) => ({ node: o, pid: startOrderer(fabric, paths, o) })),
    ...topo.peers.map((p) => ({ node: p, pid: startPeer(fabric, paths, p) })),
  ];
  await Promise.all(nodes.map(({ node, pid }) => waitHealthy(paths, node, pid)));

  progress(`joining orderers and peers to channel ${CHANNEL}; installing the chaincode package`);
  const pkg = await packageChaincode(paths, topo);
  await Promise.all([
    joinOrderers(fabric, paths, topo.orderers).then(() => waitForRaftLeader(topo.orderers)),
    joinPeers(fabric, paths, topo.peers),
    installEverywhere(fabric, paths, topo, pkg.file),
  ]);
  await identities;

  progress(`defining chaincode ${CHAINCODE_NAME} (${pkg.packageId.slice(0, 24)}...) and starting its server`);
  await Promise.all([
    startChaincodeServer(paths, topo, pkg.packageId),
    defineChaincode(fabric, paths, topo, CHAINCODE_NAME, pkg.packageId),
  ]);
  progress('waiting for gossip to connect every org');
  await waitForGossip(topo);
  progress('waiting for discovery to offer endorsers of every org');
  await waitDiscoverable(fabric, paths, topo, CHAINCODE_NAME);
  // The first call from each peer opens its connection to the chaincode server: do it now, not in a test.
  progress('querying the chaincode on every peer');
  await Promise.all(topo.peers.map((_, i) => probeChaincode(fabric, paths, topo, CHAINCODE_NAME, i)));

  const connectionProfile = writeConnectionProfile(paths, topo, CHAINCODE_NAME);
  return {
    portBase: topo.portBase,
    channel: CHANNEL,
    chaincode: CHAINCODE_NAME,
    packageId: pkg.packageId,
    chaincodeServer: chaincodeServerCommand().join(' '),
    binDir: fabric.binDir,
    connectionProfile,
    startedAt: new Date().toISOString(),
    upSeconds: 0,
  };
}

async function stopAll(paths: StatePaths): Promise<number> {
  const byPid = new Map<number, PidEntry>();
  for (const e of [...readPids(paths.pids, paths.root), ...scanOurProcesses(paths.root)]) {
    if (e.alive) byPid.set(e.pid, e);
  }
  const entries = [...byPid.values()];
  await Promise.all(entries.map((e) => stopProcess(e, paths.root)));
  return entries.length;
}

/** Stops exactly the processes this state dir started (by pid), then removes .state. */
export function down(): Promise<void> {
  const paths = statePaths();
  return withLock(lockDir(paths), 'network up/down', () => downLocked(paths));
}

async function downLocked(paths: StatePaths): Promise<void> {
  const stopped = await stopAll(paths);
  if (!existsSync(paths.root) && stopped === 0) {
    progress('no network state and no processes: nothing to stop');
    return;
  }
  rmSync(paths.root, { recursive: true, force: true });
  progress(`stopped ${stopped} process(es); removed ${paths.root}`);
}

export interface NodeStatus {
  name: string;
  kind: 'orderer' | 'peer' | 'chaincode';
  up: boolean;
  pid?: number;
  port: number;
  /** Blocks on the channel (orderers and peers), from the node's metrics. */
  height?: number;
  leader?: boolean;
}

export interface NetworkStatus {
  state: 'up' | 'down' | 'partial';
  record?: NetworkRecord;
  nodes: NodeStatus[];
}

export async function status(): Promise<NetworkStatus> {
  const paths = statePaths();
  const record = readRecord(paths);
  const topo = topology(record?.portBase);
  const pids = new Map(readPids(paths.pids, paths.root).map((e) => [e.name, e]));
  for (const e of scanOurProcesses(paths.root)) if (pids.get(e.name)?.alive !== true) pids.set(e.name, e);
  const metric = (port: number, name: string) => channelMetric(port, name).catch(() => undefined);
  const describe = async (name: string, kind: NodeStatus['kind'], port: number, opsPort?: number) => {
    const entry = pids.get(name);
    const up = entry?.alive === true;
    const s: NodeStatus = { name, kind, up, port, ...(entry !== undefined && up ? { pid: entry.pid } : {}) };
    if (up && opsPort !== undefined) s.height = await metric(opsPort, 'ledger_blockchain_height');
    if (up && kind === 'orderer' && opsPort !== undefined)
      s.leader = (await metric(opsPort, 'consensus_etcdraft_is_leader')) === 1;
    return s;
  };
  const nodes = await Promise.all([
    ...topo.orderers.map((o) => describe(o.name, 'orderer', o.port, o.opsPort)),
    ...topo.peers.map((p) => describe(p.name, 'peer', p.port, p.opsPort)),
    describe('chaincode', 'chaincode', topo.chaincodeServerPort),
  ]);
  const upCount = nodes.filter((n) => n.up).length;
  const state = upCount === nodes.length && record !== undefined ? 'up' : upCount === 0 ? 'down' : 'partial';
  return { state, ...(record !== undefined ? { record } : {}), nodes };
}

/**
 * Defines another chaincode `name` on the channel over the already installed package: a fresh,
 * empty state namespace served by the same chaincode server. Returns once discovery offers
 * endorsers for it in every org and a peer has answered a query for it.
 */
export async function deployChaincode(name: string): Promise<{ name: string; seconds: number }> {
  checkChaincodeName(name);
  const t0 = Date.now();
  const paths = statePaths();
  const record = readRecord(paths);
  const fabric = cachedFabric();
  if (record === undefined || fabric === undefined) {
    throw new StepError('deploy chaincode', `no running network at ${paths.root}: run \`up\` first`);
  }
  const topo = topology(record.portBase);
  await defineChaincode(fabric, paths, topo, name, record.packageId).catch((error: unknown) => {
    if (
      error instanceof StepError &&
      error.output?.includes('attempted to redefine the current committed sequence')
    ) {
      throw new StepError(
        'deploy chaincode',
        `"${name}" is already defined on ${CHANNEL}: use a new name (uniqueChaincodeName())`,
      );
    }
    throw error;
  });
  // The commit waited for every peer, so the query need not wait for discovery.
  await Promise.all([waitDiscoverable(fabric, paths, topo, name), probeChaincode(fabric, paths, topo, name)]);
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  progress(`chaincode ${name} deployed in ${seconds} s`);
  return { name, seconds };
}

/** A chaincode name unlikely to clash with an earlier test run's on the same network. */
export function uniqueChaincodeName(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

export { statePaths, topology, CHANNEL, CHAINCODE_NAME };
export const connectionProfilePath = (): string => statePaths().connection;
