import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  killNode,
  leader,
  restartNode,
  waitForLeader,
  waitSameHeights,
  type PeerHeight,
} from '../../test-network/src/faults.js';
import { deployChaincode, uniqueChaincodeName } from '../../test-network/src/network.js';
import { statePaths, topology } from '../../test-network/src/topology.js';
import { freePort, startGatewayProcess, type Run } from '../../gateway-api/test/gateway-process.js';
import { prng, sleep, WriteClient, type Write } from './client.js';
import { apiReader, countRecords, fabricReader, pool, type Counts, type Reader } from './readback.js';
import { JobMaker, makeFixtures, type Fixtures, type Tokens } from './workload.js';

/**
 * Fabric under faults (issue 16): a stream of mixed writes through the real gateway process on the
 * test network, N clients in flight, each write with an Idempotency-Key of its own and retried with
 * the same key and body after a connection error or a 5xx. Meanwhile, at moments a seeded PRNG
 * picks, SIGKILL and restart: the bureau's peer (in every endorsement), a second org's peer, the
 * Raft leader, an orderer that is not the leader, the chaincode server and the gateway process
 * (same DATA_DIR and port). Then every record is read back through the API and through Fabric.
 *
 * FAULTS_SEED=<n> replays a run's kill moments and write mix (the seed is printed); FAULTS_WRITES
 * (default 10,000) and FAULTS_CLIENTS (default 32) scale it.
 */

const TOTAL = Number(process.env['FAULTS_WRITES'] ?? 10_000);
const CLIENTS = Number(process.env['FAULTS_CLIENTS'] ?? 32);
const STUDENTS = 10;
const LEARNERS = 20;
/** Kills fall at random points between these fractions of the writes done. */
const KILL_WINDOW: readonly [number, number] = [0.08, 0.85];
/** A killed node stays down for a random time below this (ms) before it is started again. */
const MAX_DOWN_MS = 3_000;

type Target = 'gateway' | 'chaincode' | 'peer0.bureau' | 'second-peer' | 'raft-leader' | 'raft-follower';
const TARGETS: readonly Target[] = [
  'peer0.bureau',
  'second-peer',
  'raft-leader',
  'raft-follower',
  'chaincode',
  'gateway',
  'gateway',
];

interface KillRecord {
  target: Target;
  node: string;
  /** Writes finished when it came. */
  atWrite: number;
  downMs: number;
  /** From the kill until the node was healthy again (a peer: caught up too). */
  recoveredMs: number;
  inFlight: number;
}

/** A seeded shuffle of `items` (Fisher-Yates). */
function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('Fabric under faults: SIGKILL of peers, orderers, the chaincode server and the gateway under load', function () {
  this.timeout(40 * 60_000);
  const seed = process.env['FAULTS_SEED'] ? Number(process.env['FAULTS_SEED']) : randomInt(2 ** 31);
  const chaincode = uniqueChaincodeName('faults');
  const writes: Write[] = [];
  const kills: KillRecord[] = [];
  const runs: Run[] = [];
  let dataDir: string;
  let port: number;
  let gw: Run;
  let tokens: Tokens;
  let fixtures: Fixtures;
  let client: WriteClient;
  let loadMs = 0;
  let agreed: PeerHeight[] = [];
  /** Records there before the load (the demo consortium's), read through Fabric. */
  let baseline: Counts = new Map();
  const url = (): string => `http://127.0.0.1:${port}`;

  async function startGateway(): Promise<Run> {
    const run = await startGatewayProcess(dataDir, port, {
      env: {
        LEDGER: 'fabric',
        FABRIC_CONNECTION: statePaths().connection,
        FABRIC_CHAINCODE: chaincode,
        PUBLIC_URL: `http://localhost:${port}`,
        SIGNING_WORKERS: '0',
      },
    });
    runs.push(run);
    expect(run.code, `gateway start ${runs.length}:\n${run.output()}`).to.equal(undefined);
    return run;
  }

  async function get(path: string, token?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${url()}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  /** Runs `fn` with a Fabric client of our own (not the gateway's), closed afterwards. */
  async function withFabricReader<T>(fn: (reader: Reader) => Promise<T>): Promise<T> {
    const fabric = await fabricReader(statePaths().connection, chaincode);
    try {
      return await fn(fabric.reader);
    } finally {
      await fabric.close();
    }
  }

  /** The credential ids the run wrote (or tried to). */
  const credentialIds = (): string[] => writes.filter((w) => w.kind === 'credential').map((w) => w.id);

  async function setupStep(path: string, token: string, body: unknown): Promise<any> {
    const res = await fetch(`${url()}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json()) as unknown;
    if (res.status >= 300) throw new Error(`set-up POST ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Kills `target` and starts it again; resolves once it is healthy (a peer: caught up). */
  async function bounce(
    target: Target,
    rand: () => number,
  ): Promise<Omit<KillRecord, 'atWrite' | 'inFlight'>> {
    const downMs = Math.floor(rand() * MAX_DOWN_MS);
    const t0 = Date.now();
    if (target === 'gateway') {
      await gw.kill('SIGKILL');
      await sleep(downMs);
      gw = await startGateway();
      return { target, node: 'gateway', downMs, recoveredMs: Date.now() - t0 };
    }
    const node = await nodeFor(target, rand);
    await killNode(node);
    await sleep(downMs);
    await restartNode(node);
    // A killed leader: the two others elect a new one meanwhile; the restarted one rejoins as follower.
    if (target.startsWith('raft-')) await waitForLeader();
    return { target, node, downMs, recoveredMs: Date.now() - t0 };
  }

  async function nodeFor(target: Target, rand: () => number): Promise<string> {
    const orderers = topology().orderers.map((o) => o.name);
    switch (target) {
      case 'raft-leader':
        return waitForLeader();
      case 'raft-follower': {
        const lead = (await leader()) ?? '';
        const followers = orderers.filter((o) => o !== lead);
        return followers[Math.floor(rand() * followers.length)] ?? 'orderer1';
      }
      case 'second-peer': {
        const others = ['peer0.school-gen', 'peer0.school-voc'];
        return others[Math.floor(rand() * others.length)] ?? 'peer0.school-gen';
      }
      default:
        return target;
    }
  }

  before(async function () {
    console.log(
      `[faults] seed ${seed} (FAULTS_SEED=${seed} replays it); ${TOTAL} writes, ${CLIENTS} clients`,
    );
    await deployChaincode(chaincode);
    dataDir = mkdtempSync(join(tmpdir(), 'edu-faults-'));
    port = await freePort();
    gw = await startGateway();
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    const token = (name: string): string => demo[name] ?? '';
    tokens = {
      admin: token('school-admin@school-gen'),
      teacher: token('teacher@school-gen'),
      inspector: token('inspector@bureau'),
      vocAdmin: token('school-admin@school-voc'),
      vocTeacher: token('teacher@school-voc'),
      genAdmin: token('school-admin@school-gen'),
    };
    fixtures = await makeFixtures(setupStep, tokens, { students: STUDENTS, learners: LEARNERS });
    baseline = await withFabricReader((reader) => countRecords(reader, fixtures, []));
    client = new WriteClient(url);
    await runLoad();
    agreed = await waitSameHeights();
  });

  /** The writes and the kills, concurrently; resolves when every write has ended. */
  async function runLoad(): Promise<void> {
    const began = Date.now();
    const rand = prng(seed);
    const maker = new JobMaker(tokens, fixtures, prng(seed ^ 0x5bd1e995));
    const plan = shuffle(TARGETS, rand);
    const [lo, hi] = KILL_WINDOW;
    const moments = plan.map(() => Math.floor(TOTAL * (lo + rand() * (hi - lo)))).sort((a, b) => a - b);
    let started = 0;
    let finished = 0;
    let inFlight = 0;

    let killsDone = false;
    // Writes go on past TOTAL until the last kill is over, so that every kill cuts writes in flight.
    const worker = async (): Promise<void> => {
      while (started < TOTAL || !killsDone) {
        for (const w of maker.next()) {
          started++;
          writes.push(w);
          inFlight++;
          await client.send(w);
          inFlight--;
          finished++;
          // The second step needs the first (a visit its inspection, a recognition its credit).
          if (!w.acked) break;
        }
      }
    };
    const killer = async (): Promise<void> => {
      for (const [i, target] of plan.entries()) {
        while (finished < (moments[i] ?? 0)) await sleep(50);
        const atWrite = finished;
        const k = { ...(await bounce(target, rand)), atWrite, inFlight };
        kills.push(k);
        console.log(`[faults] kill ${kills.length}/${plan.length}: ${JSON.stringify(k)}`);
      }
      killsDone = true;
    };
    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, worker)]);
    loadMs = Date.now() - began;
  }

  after(async () => {
    printSummary();
    for (const run of runs) await run.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function printSummary(): void {
    const acked = writes.filter((w) => w.acked).length;
    const retried = writes.filter((w) => w.attempts.length > 1).length;
    const byKind = new Map<string, number>();
    for (const w of writes) byKind.set(w.kind, (byKind.get(w.kind) ?? 0) + 1);
    const failures = new Map<string, number>();
    for (const w of writes.filter((x) => x.failed)) {
      const f = w.failed;
      const why = f?.kind === 'answer' ? `${f.status} ${f.code ?? '(no code)'}` : (f?.kind ?? '?');
      failures.set(why, (failures.get(why) ?? 0) + 1);
    }
    console.log(
      `[faults] seed ${seed}: writes attempted ${writes.length}, acknowledged ${acked}, ` +
        `failed ${writes.length - acked}, retried ${retried} (${client?.retries ?? 0} retries); ` +
        `load ${(loadMs / 1000).toFixed(1)} s (${((acked * 1000) / Math.max(loadMs, 1)).toFixed(1)} acked/s)`,
    );
    console.log(`[faults] by kind: ${JSON.stringify(Object.fromEntries(byKind))}`);
    console.log(`[faults] failures: ${JSON.stringify(Object.fromEntries(failures))}`);
    console.log(
      `[faults] kills done ${kills.length}: ${kills.map((k) => `${k.node}@${k.atWrite}`).join(', ')}`,
    );
    console.log(
      `[faults] heights: ${agreed.map((h) => `${h.name} ${h.height} ${h.currentBlockHash}`).join('; ')}`,
    );
  }

  it('did every planned kill while writes were in flight', () => {
    expect(kills.map((k) => k.target).sort()).to.deep.equal([...TARGETS].sort());
    expect(
      kills.every((k) => k.inFlight > 0),
      JSON.stringify(kills),
    ).to.equal(true);
    expect(writes.length).to.be.at.least(TOTAL);
  });

  it('answered every write within its deadline: no request hung, every failure has a stable code', () => {
    const hung = writes.filter((w) => w.attempts.some((a) => a.kind === 'hang'));
    expect(
      hung.map((w) => `${w.kind} ${w.id}`),
      'requests unanswered within the client timeout',
    ).to.deep.equal([]);
    // Every error answer, including the 5xx a retry followed, carries a stable code.
    const unclear = writes.flatMap((w) =>
      w.attempts.filter(
        (a) => a.kind === 'answer' && a.status >= 300 && !/^[A-Z][A-Z_]+$/.test(a.code ?? ''),
      ),
    );
    expect(
      unclear.map((a) => JSON.stringify(a).slice(0, 300)),
      'error answers without a stable code',
    ).to.deep.equal([]);
    // A connection error at the end means the write was still being refused at its deadline.
    for (const w of writes.filter((x) => x.failed?.kind === 'connection'))
      expect(w.attempts.length, `${w.id} gave up early`).to.be.greaterThan(1);
  });

  it('answers a retry with the same Idempotency-Key with the first outcome, never "already exists"', () => {
    // The contract: a retry that finds its own earlier attempt committed returns that outcome (2xx).
    const refusedRetries = writes.filter(
      (w) =>
        w.attempts.length > 1 &&
        w.failed?.kind === 'answer' &&
        (w.failed.code === 'ALREADY_EXISTS' || w.failed.code === 'INVALID_STATE'),
    );
    expect(
      refusedRetries.map((w) => `${w.kind} ${w.id}: ${w.failed?.kind === 'answer' ? w.failed.code : ''}`),
      'retries refused because their own first attempt had been committed',
    ).to.deep.equal([]);
  });

  /** Every acknowledged write counted once, every other write at most once, nothing unasked for. */
  function checkCounts(counts: Counts, path: string): void {
    const problems: string[] = [];
    const attempted = new Map<string, Set<string>>();
    for (const w of writes) {
      const ids = attempted.get(w.kind) ?? new Set<string>();
      ids.add(w.id);
      attempted.set(w.kind, ids);
      const n = counts.get(w.kind)?.get(w.id) ?? 0;
      if (w.acked && n !== 1) problems.push(`acknowledged ${w.kind} ${w.id}: found ${n} times`);
      if (!w.acked && n > 1) problems.push(`unacknowledged ${w.kind} ${w.id}: found ${n} times`);
    }
    for (const [kind, ids] of counts) {
      for (const id of ids.keys()) {
        const before = baseline.get(kind)?.has(id) === true;
        if (!before && !attempted.get(kind)?.has(id))
          problems.push(`${kind} ${id}: on the ledger, never written`);
      }
    }
    expect(problems.slice(0, 50), `${problems.length} problems (${path})`).to.deep.equal([]);
  }

  it('keeps every acknowledged write exactly once, read through the gateway API', async () => {
    const counts = await countRecords(apiReader(get, tokens), fixtures, credentialIds());
    checkCounts(counts, 'API');
  });

  it('keeps every acknowledged write exactly once, read through Fabric itself', async () => {
    const counts = await withFabricReader((reader) => countRecords(reader, fixtures, credentialIds()));
    checkCounts(counts, 'Fabric');
  });

  it('verifies acknowledged credentials through the API (a seeded sample of 100)', async () => {
    const rand = prng(seed ^ 0x1234567);
    const credentials = shuffle(
      writes.filter((w) => w.kind === 'credential' && w.acked),
      rand,
    ).slice(0, 100);
    const failed: string[] = [];
    await pool(credentials, 4, async (w) => {
      const res = await fetch(`${url()}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: w.acked.verifiableCredential }),
      });
      const body = (await res.json()) as { verified?: boolean };
      if (body.verified !== true) failed.push(`${w.id}: ${JSON.stringify(body).slice(0, 300)}`);
    });
    expect(credentials.length).to.be.greaterThan(0);
    expect(failed).to.deep.equal([]);
  });

  it('brings every restarted node back: every peer at the same height and last block hash', () => {
    expect(agreed.length).to.equal(topology().peers.length);
    const [first] = agreed;
    for (const h of agreed)
      expect(h, h.name).to.include({ height: first?.height, currentBlockHash: first?.currentBlockHash });
    expect(first?.height ?? 0).to.be.greaterThan(kills.length);
  });

  it('follows chaincode events from its checkpoint after its restarts, up to the last write', async () => {
    // The gateway derives only cache invalidations from events; what it persists is the checkpoint
    // (DATA_DIR/fabric-events.checkpoint). A last write's event must reach it: the stream resumed
    // after the restarts and kept up, instead of stopping or starting over.
    const last = await setupStep('/inspections', tokens.inspector, {
      inspectionId: `last-${seed.toString(36)}`,
      schoolId: 'school-gen',
      indicatorSystem: 'smart-campus',
      title: { zh: '收尾督导', en: 'Closing inspection' },
      plannedFor: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const file = join(dataDir, 'fabric-events.checkpoint');
    let state: { blockNumber?: string; transactionId?: string } = {};
    for (let i = 0; i < 150; i++) {
      state = JSON.parse(readFileSync(file, 'utf8') || '{}') as typeof state;
      if (state.transactionId === last.txId) break;
      await sleep(200);
    }
    expect(state).to.deep.equal({ blockNumber: String(last.blockNumber), transactionId: last.txId });
  });
});
