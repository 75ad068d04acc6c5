/**
 * Faults on the running test network: SIGKILL one node by name and start it again the way `up`
 * started it (same command, environment and appended log), wait until it is healthy, tell which
 * orderer leads Raft, and read every peer's height and last block hash. Fault tests (test/fabric-faults)
 * and the CLI verbs `kill`, `restart` and `heights` use these.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cachedFabric, type FabricInstall } from './build.js';
import { startChaincodeServer } from './chaincode.js';
import { channelMetric } from './channel.js';
import { peerCliEnv, startOrderer, startPeer, waitHealthy } from './nodes.js';
import { isOurs, readPids, run, StepError, waitUntil } from './proc.js';
import { CHANNEL, statePaths, topology, type StatePaths, type Topology } from './topology.js';

/** A node's name as `status` lists it: orderer1..3, peer0.<orgId>, chaincode. */
export type NodeName = string;

interface Running {
  paths: StatePaths;
  topo: Topology;
  fabric: FabricInstall;
  packageId: string;
}

/** The network `up` recorded in this state dir; faults need a complete, running network. */
function running(): Running {
  const paths = statePaths();
  const fabric = cachedFabric();
  if (!existsSync(paths.network) || fabric === undefined) {
    throw new StepError('network faults', `no running network at ${paths.root}: run \`up\` first`);
  }
  const record = JSON.parse(readFileSync(paths.network, 'utf8')) as { portBase: number; packageId: string };
  return { paths, topo: topology(record.portBase), fabric, packageId: record.packageId };
}

/** Every node name of the network, in `status` order. */
export function nodeNames(): NodeName[] {
  const { topo } = running();
  return [...topo.orderers.map((o) => o.name), ...topo.peers.map((p) => p.name), 'chaincode'];
}

function checkName(r: Running, name: NodeName): void {
  const known = [...r.topo.orderers.map((o) => o.name), ...r.topo.peers.map((p) => p.name), 'chaincode'];
  if (!known.includes(name)) {
    throw new StepError(`node ${name}`, `no such node; one of: ${known.join(', ')}`);
  }
}

/** The pid of a node of ours that runs now, or undefined. */
export function nodePid(name: NodeName): number | undefined {
  const { paths } = running();
  return readPids(paths.pids, paths.root).find((e) => e.name === name && e.alive)?.pid;
}

/**
 * SIGKILL to the node's process group (no chance to flush or say goodbye, as a power cut), then
 * waits until the process is gone. Returns the pid killed; throws if the node was not running.
 */
export async function killNode(name: NodeName): Promise<number> {
  const r = running();
  checkName(r, name);
  const pid = nodePid(name);
  if (pid === undefined) throw new StepError(`kill ${name}`, 'not running');
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  await waitUntil(
    () => Promise.resolve(isOurs(pid, r.paths.root, name) ? undefined : true),
    10_000,
    () => new StepError(`kill ${name}`, `pid ${pid} still alive 10 s after SIGKILL`),
    50,
  );
  return pid;
}

/**
 * Starts a stopped node again as `up` did (its log is appended to) and waits until it is healthy:
 * /healthz for an orderer or a peer, the listening port for the chaincode server. A peer is also
 * waited for until it has caught up with the channel's highest peer (see {@link waitCaughtUp}).
 */
export async function restartNode(name: NodeName, opts: { catchUpMs?: number } = {}): Promise<number> {
  const r = running();
  checkName(r, name);
  if (nodePid(name) !== undefined) throw new StepError(`restart ${name}`, 'still running: kill it first');
  if (name === 'chaincode') return startChaincodeServer(r.paths, r.topo, r.packageId);
  const orderer = r.topo.orderers.find((o) => o.name === name);
  if (orderer !== undefined) {
    const pid = startOrderer(r.fabric, r.paths, orderer);
    await waitHealthy(r.paths, orderer, pid);
    return pid;
  }
  const peer = r.topo.peers.find((p) => p.name === name);
  if (peer === undefined) throw new StepError(`restart ${name}`, 'no such node');
  const pid = startPeer(r.fabric, r.paths, peer);
  await waitHealthy(r.paths, peer, pid);
  await waitCaughtUp(name, opts.catchUpMs ?? 60_000);
  return pid;
}

/** Kills a node and starts it again; returns how long it was down (ms). */
export async function bounceNode(name: NodeName, downMs = 0): Promise<number> {
  const t0 = Date.now();
  await killNode(name);
  if (downMs > 0) await sleep(downMs);
  await restartNode(name);
  return Date.now() - t0;
}

/** The orderer that reports itself Raft leader of the channel now, or undefined (an election). */
export async function leader(): Promise<string | undefined> {
  const { topo } = running();
  const flags = await Promise.all(
    topo.orderers.map((o) => channelMetric(o.opsPort, 'consensus_etcdraft_is_leader').catch(() => undefined)),
  );
  return topo.orderers.find((_, i) => flags[i] === 1)?.name;
}

/** Waits for a Raft leader (after killing one) and returns its name. */
export async function waitForLeader(timeoutMs = 60_000): Promise<string> {
  return waitUntil(
    () => leader(),
    timeoutMs,
    () => new StepError('Raft leader', `no orderer leads ${CHANNEL} after ${timeoutMs} ms`),
    200,
  );
}

/** One peer's view of the channel: `peer channel getinfo`. */
export interface PeerHeight {
  name: string;
  height: number;
  /** Hash of the last block's header (base64, as the peer reports it). */
  currentBlockHash: string;
}

/** Every peer's block height and last block hash, read with the peer CLI as its org's admin. */
export async function heights(): Promise<PeerHeight[]> {
  const r = running();
  return Promise.all(r.topo.peers.map((p) => peerHeight(r, p.name)));
}

async function peerHeight(r: Running, name: string): Promise<PeerHeight> {
  const peer = r.topo.peers.find((p) => p.name === name);
  if (peer === undefined) throw new StepError(`height of ${name}`, 'no such peer');
  const out = await run(r.fabric.bin('peer'), ['channel', 'getinfo', '-c', CHANNEL], {
    step: `channel info of ${name}`,
    env: peerCliEnv(r.paths, peer),
    timeoutMs: 20_000,
  });
  // "Blockchain info: {"height":12,"currentBlockHash":"...","previousBlockHash":"..."}"
  const json = out.slice(out.indexOf('{'));
  const info = JSON.parse(json) as { height?: number; currentBlockHash?: string };
  return { name, height: info.height ?? 0, currentBlockHash: info.currentBlockHash ?? '' };
}

/**
 * Waits until every peer reports the same height and last block hash (nothing is being written):
 * a restarted peer has pulled every block it missed. Returns the agreed view.
 */
export async function waitSameHeights(timeoutMs = 120_000): Promise<PeerHeight[]> {
  let last: PeerHeight[] = [];
  return waitUntil(
    async () => {
      last = await heights();
      const [first] = last;
      const same = last.every(
        (h) => h.height === first?.height && h.currentBlockHash === first.currentBlockHash,
      );
      return same ? last : undefined;
    },
    timeoutMs,
    () =>
      new StepError(
        'peers agree on the chain',
        `heights differ after ${timeoutMs} ms`,
        undefined,
        last.map((h) => `${h.name}: ${h.height} ${h.currentBlockHash}`).join('\n'),
      ),
    500,
  );
}

/**
 * Waits until peer `name` has at least the height the other peers had when it was called (from the
 * peers' metrics, which is cheap enough to poll): it has caught up with what it missed while down.
 */
export async function waitCaughtUp(name: NodeName, timeoutMs = 60_000): Promise<number> {
  const { topo } = running();
  const metric = (port: number) =>
    channelMetric(port, 'ledger_blockchain_height').catch(() => undefined as number | undefined);
  const others = await Promise.all(topo.peers.filter((p) => p.name !== name).map((p) => metric(p.opsPort)));
  const target = Math.max(0, ...others.map((h) => h ?? 0));
  const self = topo.peers.find((p) => p.name === name);
  if (self === undefined) throw new StepError(`catch up ${name}`, 'no such peer');
  return waitUntil(
    async () => {
      const h = await metric(self.opsPort);
      return h !== undefined && h >= target ? h : undefined;
    },
    timeoutMs,
    () => new StepError(`catch up ${name}`, `below height ${target} after ${timeoutMs} ms`),
    250,
  );
}
