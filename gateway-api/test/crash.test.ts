import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { GatewayDb } from '../src/stores/gateway-db.js';
import { freePort, startGatewayProcess, type Run } from './gateway-process.js';
import { achievementRequest } from './harness.js';

/**
 * SIGKILL under load: workers issue credentials (Data Integrity, vc+jwt, vault-sealed) and write
 * growth entries through the real gateway process, each request with an id of the client's choosing,
 * while the process is killed at random moments and restarted on the same DATA_DIR. A request cut
 * by a kill is sometimes retried with the same id, as a client that got no answer would. Afterwards
 * the ledger must verify, every acknowledged write must be there exactly once, no anchored
 * credential may lack its signed copy, and every write that got no answer must be either complete
 * or absent and writable again.
 *
 * CRASH_SEED=<n> replays a run's kill moments and request mix (the seed is printed); request
 * timing, and so what each kill cuts, still varies.
 */

const WORKERS = 5;
const KILLS = 6;
/**
 * A kill comes this long (ms, uniform in [0, SPREAD)) after the process acknowledged its first Data
 * Integrity credential, so that it cuts a process that is warm (its first signature loads the
 * JSON-LD contexts) instead of one whose requests have written nothing yet.
 */
const KILL_AFTER_SPREAD = 1_200;

/**
 * Credentials are signed on the gateway's main thread: a signing worker pool needs 2-3 s per start
 * to load before its first signature, time spent on every restart, while where a credential is
 * signed changes nothing in what is written around its anchor (signing comes before any write).
 */
const GATEWAY_ENV = { SIGNING_WORKERS: '0' };

const ORG = 'school-gen';
const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

/** mulberry32: a small seeded PRNG, so a failing run's choices can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** Lets workers through while the gateway serves; holds them while it is killed and restarted. */
class Gate {
  private opened = true;
  private waiters: (() => void)[] = [];
  get isOpen(): boolean {
    return this.opened;
  }
  close(): void {
    this.opened = false;
  }
  open(): void {
    this.opened = true;
    for (const waiter of this.waiters.splice(0)) waiter();
  }
  wait(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

type Kind = 'ldp' | 'jwt' | 'vault' | 'entry';
/** `exists`: a retry answered ALREADY_EXISTS (an earlier, cut attempt completed). `cut`: no answer. */
type Outcome = 'acked' | 'exists' | 'cut' | 'unexpected';

interface Attempt {
  /** Which gateway process (0 = the first) the attempt was sent to. */
  run: number;
  outcome: Outcome;
  status?: number;
  /** A growth entry's text in this attempt. */
  text?: string;
  detail?: string;
}

interface Job {
  /** A credential's `urn:uuid:` id, or a growth entry's id. */
  id: string;
  kind: Kind;
  attempts: Attempt[];
  /** The acknowledged credential, or the acknowledged entry's text. */
  acked?: { credential?: unknown; text?: string };
}

interface KillRecord {
  kill: number;
  /** The gateway process killed (0 = the first). */
  run: number;
  /** When it came, ms after the process's first acknowledged Data Integrity credential. */
  afterMs: number;
  inFlight: number;
  ackedSoFar: number;
  /** Pending signed copies the kill left in the gateway store; `withRecord` also had their complete record. */
  pending: { id: string; withRecord: boolean }[];
}

interface Response {
  status: number;
  body: any;
}

describe('gateway: SIGKILL at random moments under concurrent load', function () {
  this.timeout(180_000);
  const seed = process.env['CRASH_SEED'] ? Number(process.env['CRASH_SEED']) : randomInt(2 ** 31);
  const runs: Run[] = [];
  const kills: KillRecord[] = [];
  const jobs = new Map<string, Job>();
  const gate = new Gate();
  let stopping = false;
  let dataDir: string;
  let publicUrl: string | undefined;
  let url: string;
  let gw: Run;

  /**
   * Starts a gateway process on DATA_DIR. Each start takes a free port of its own (the last one may
   * have been taken meanwhile) under the first one's PUBLIC_URL, which the issued credentials' status
   * list links carry.
   */
  async function start(): Promise<Run> {
    const port = await freePort();
    publicUrl ??= `http://localhost:${port}`;
    const run = await startGatewayProcess(dataDir, port, {
      env: { ...GATEWAY_ENV, PUBLIC_URL: publicUrl },
    });
    url = `http://127.0.0.1:${port}`;
    runs.push(run);
    expect(run.code, `gateway start ${runs.length}:\n${run.output()}`).to.equal(undefined);
    return run;
  }

  async function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** The gateway store's pending copies, read while no gateway holds DATA_DIR. */
  async function pendingCopies(): Promise<{ id: string; withRecord: boolean }[]> {
    const db = await GatewayDb.open(join(dataDir, 'gateway'));
    try {
      const ids = await db.pendingCredentials.keys().all();
      return await Promise.all(
        ids.map(async (id) => ({ id, withRecord: (await db.credentials.get(id)) !== undefined })),
      );
    } finally {
      await db.close();
    }
  }

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    const tail = (text: string): string => text.slice(-4_000);
    console.error(`\ncrash test failed: seed ${seed} (rerun with CRASH_SEED=${seed})`);
    console.error(`kills: ${JSON.stringify(kills)}`);
    runs.slice(-3).forEach((run) => {
      console.error(`--- output tail of gateway process ${runs.indexOf(run)} ---\n${tail(run.output())}`);
    });
  });

  after(async () => {
    stopping = true;
    gate.open();
    for (const run of runs) await run.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write, anchors nothing without its copy, and frees every unanswered id', async () => {
    const began = Date.now();
    const rng = prng(seed);
    dataDir = mkdtempSync(join(tmpdir(), 'edu-crash-'));
    gw = await start();
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    const admin = tokens['school-admin@school-gen'] ?? '';
    const teacher = tokens['teacher@school-gen'] ?? '';
    const inspector = tokens['inspector@bureau'] ?? '';

    // A vault subject with a growth archive: its credentials are sealed under its own key.
    const subjectDid = (await didKeyFromSeed(new Uint8Array(32).fill(12))).did;
    const registered = await call('POST', '/subjects', admin, {
      name: '王芳',
      idNumber: '310101200901012345',
      studentNumber: 'G310101200901012345',
      birthDate: '2009-01-01',
      did: subjectDid,
    });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const subjectId = registered.body.subjectId as string;
    const archive = await call('POST', '/archives', admin, {
      subjectId,
      dimensionSetId: 'five-dimensions-a',
    });
    expect(archive.status, JSON.stringify(archive.body)).to.equal(201);

    /** Every credential anchored for the school, walking the audit listing's pages. */
    async function anchoredIds(): Promise<string[]> {
      const ids: string[] = [];
      let bookmark = '';
      let pages = 0;
      do {
        const page = await call(
          'GET',
          `/audit/schools/${ORG}?kind=credential&pageSize=100${bookmark ? `&bookmark=${bookmark}` : ''}`,
          inspector,
        );
        expect(page.status, JSON.stringify(page.body)).to.equal(200);
        for (const r of page.body.records as { record: { anchor: { credentialId: string } } }[])
          ids.push(r.record.anchor.credentialId);
        bookmark = page.body.bookmark as string;
        expect(++pages, 'audit paging ends').to.be.below(1_000);
      } while (bookmark);
      return ids;
    }
    const before = new Set(await anchoredIds());

    const issueBody = (job: Job): Record<string, unknown> => {
      const request = achievementRequest(job.kind === 'vault' ? subjectDid : HOLDER, `奖项 ${job.id}`) as {
        credential: Record<string, unknown>;
      };
      const options =
        job.kind === 'jwt' ? { format: 'jwt' } : job.kind === 'vault' ? { subjectId } : undefined;
      return { credential: { ...request.credential, id: job.id }, ...(options ? { options } : {}) };
    };
    const entryBody = (id: string, text: string): Record<string, unknown> => ({
      entryId: id,
      term: '2026-S1',
      dimensionId: 'academic',
      content: { text },
    });

    /** Each write of an entry sends a text of its own, so a read shows which write stands. */
    let writes = 0;
    const nextText = (job: Job): string => `成长记录 ${job.id} 第${++writes}稿`;
    /** One write of `job` (an entry with `text`), as a client sees it. */
    const write = (job: Job, text = ''): Promise<Response> =>
      job.kind === 'entry'
        ? call('POST', `/archives/${subjectId}/entries`, teacher, entryBody(job.id, text))
        : call('POST', '/credentials/issue', admin, issueBody(job));

    // Load: each worker sends one request at a time until told to stop, across kills and restarts.
    let runIndex = 0;
    let inFlight = 0;
    let acked = 0;
    /** Whether the current process has acknowledged a Data Integrity credential (it is warm). */
    let warm = false;
    let strayCuts = 0;
    /** Answers other than 201 (or ALREADY_EXISTS to a retry): the load stops at the first. */
    const unexpected: (Attempt & { id: string; kind: Kind })[] = [];
    const send = async (job: Job): Promise<Outcome> => {
      // Recorded as it starts, so a kill's bookkeeping sees it even before its error arrives.
      const attempt: Attempt = {
        run: runIndex,
        outcome: 'cut',
        ...(job.kind === 'entry' ? { text: nextText(job) } : {}),
      };
      job.attempts.push(attempt);
      inFlight++;
      try {
        const res = await write(job, attempt.text);
        attempt.status = res.status;
        if (res.status === 201) {
          attempt.outcome = 'acked';
          job.acked =
            job.kind === 'entry' ? { text: attempt.text } : { credential: res.body.verifiableCredential };
          acked++;
          if (attempt.run === runIndex && (job.kind === 'ldp' || job.kind === 'vault')) warm = true;
        } else if (
          res.status === 409 &&
          res.body?.error?.code === 'ALREADY_EXISTS' &&
          job.attempts.length > 1
        ) {
          attempt.outcome = 'exists';
        } else {
          attempt.outcome = 'unexpected';
          attempt.detail = JSON.stringify(res.body).slice(0, 500);
          unexpected.push({ id: job.id, kind: job.kind, ...attempt });
        }
      } catch (error) {
        attempt.outcome = 'cut';
        if (gate.isOpen) strayCuts++;
        attempt.detail = error instanceof Error ? String(error.cause ?? error.message) : String(error);
      } finally {
        inFlight--;
      }
      return attempt.outcome;
    };
    const worker = async (n: number): Promise<void> => {
      const choose = prng((seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0);
      let retry: Job | undefined;
      for (;;) {
        await gate.wait();
        if (stopping) return;
        let job = retry;
        retry = undefined;
        if (!job) {
          const r = choose();
          const kind: Kind = r < 0.5 ? 'ldp' : r < 0.7 ? 'jwt' : r < 0.85 ? 'vault' : 'entry';
          const id = kind === 'entry' ? `e-${randomUUID()}` : `urn:uuid:${randomUUID()}`;
          job = { id, kind, attempts: [] };
          jobs.set(id, job);
        }
        const outcome = await send(job);
        if (outcome === 'unexpected') return;
        if (outcome === 'cut') {
          // A client with no answer may try again with the same id once the gateway is back.
          if (choose() < 0.5) retry = job;
          // Not a kill of ours (a dropped connection): pause instead of spinning.
          if (gate.isOpen) await sleep(20);
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, n) => worker(n));

    for (let k = 1; k <= KILLS; k++) {
      const afterMs = Math.floor(rng() * KILL_AFTER_SPREAD);
      while (!warm && !gw.done && unexpected.length === 0) await sleep(5);
      await sleep(afterMs);
      expect(unexpected, 'answers other than 201, or 409 ALREADY_EXISTS to a retry').to.deep.equal([]);
      expect(gw.done, `gateway process ${runIndex} exited on its own:\n${gw.output()}`).to.equal(false);
      gate.close();
      const record: KillRecord = {
        kill: k,
        run: runIndex,
        afterMs,
        inFlight,
        ackedSoFar: acked,
        pending: [],
      };
      await gw.kill('SIGKILL');
      record.pending = await pendingCopies();
      // Recovery at the previous start settled every pending copy of the kill before it, except
      // those a retry wrote again since.
      const previous = kills[kills.length - 1];
      if (previous) {
        const now = new Set(record.pending.map((p) => p.id));
        const leftOver = previous.pending
          .map((p) => p.id)
          .filter((id) => now.has(id) && !jobs.get(id)?.attempts.some((a) => a.run === runIndex));
        expect(leftOver, `pending copies of kill ${k - 1} that the restart left unsettled`).to.deep.equal([]);
      }
      kills.push(record);
      if (k === KILLS) stopping = true;
      gw = await start();
      runIndex++;
      warm = false;
      gate.open();
    }
    await Promise.all(workers);
    const loadMs = Date.now() - began;

    // The restart after the last kill serves nothing: stopped at once, it must have settled every
    // pending copy at start, by itself.
    gw.stop();
    const stopped = await gw.exited;
    expect(stopped.code, gw.output()).to.equal(0);
    const lastPending = kills[kills.length - 1]?.pending ?? [];
    const settled = await (async () => {
      const db = await GatewayDb.open(join(dataDir, 'gateway'));
      try {
        expect(await db.pendingCredentials.keys().all(), 'pending copies after recovery').to.deep.equal([]);
        const completed: string[] = [];
        for (const { id } of lastPending)
          if ((await db.credentials.get(id)) !== undefined) completed.push(id);
        return { completed: completed.length, discarded: lastPending.length - completed.length };
      } finally {
        await db.close();
      }
    })();
    gw = await start();

    const all = [...jobs.values()];
    expect(unexpected, 'answers other than 201, or 409 ALREADY_EXISTS to a retry').to.deep.equal([]);
    const credentialJobs = all.filter((j) => j.kind !== 'entry');
    const entryJobs = all.filter((j) => j.kind === 'entry');
    expect(
      credentialJobs.filter((j) => j.acked).length,
      'credentials acknowledged across the kills',
    ).to.be.at.least(KILLS);
    expect(
      all.filter((j) => j.attempts.some((a) => a.outcome === 'cut')).length,
      'requests cut by the kills',
    ).to.be.at.least(1);

    // 1. The ledger's chain and world state verify.
    const chain = await call('GET', '/ledger/verify', inspector);
    expect(chain.status).to.equal(200);
    expect(chain.body.problems).to.deep.equal([]);
    expect(chain.body.ok).to.equal(true);

    const anchoredList = await anchoredIds();
    const anchored = new Set(anchoredList);
    expect(anchoredList.length, 'no credential anchored twice').to.equal(anchored.size);
    const attemptedIds = new Set(credentialJobs.map((j) => j.id));
    const strays = anchoredList.filter((id) => !before.has(id) && !attemptedIds.has(id));
    expect(strays, 'anchored credentials nobody asked for').to.deep.equal([]);

    const failedChecks = (body: any): unknown[] =>
      (
        (body?.checks ?? [{ check: 'response', status: JSON.stringify(body) }]) as { status: string }[]
      ).filter((c) => c.status !== 'valid');
    const verify = async (credential: unknown): Promise<unknown[]> =>
      failedChecks(
        (await call('POST', '/credentials/verify', undefined, { verifiableCredential: credential })).body,
      );
    const problems: string[] = [];

    // 2. Every acknowledged credential verifies, is anchored, and its kept copy is what was acknowledged.
    const ackedCredentials = credentialJobs.filter((j) => j.acked);
    await pool(ackedCredentials, 4, async (job) => {
      const failed = await verify(job.acked?.credential);
      if (failed.length > 0) problems.push(`acked ${job.id}: checks failed ${JSON.stringify(failed)}`);
      if (!anchored.has(job.id)) problems.push(`acked ${job.id}: not anchored`);
      const copy = await call('GET', `/credentials/${job.id}`, admin);
      if (copy.status !== 200) problems.push(`acked ${job.id}: copy answers ${copy.status}`);
      // (The same document: a copy sealed for a vault subject comes back with its keys sorted.)
      else if (!isDeepStrictEqual(copy.body.verifiableCredential, job.acked?.credential))
        problems.push(
          `acked ${job.kind} ${job.id}: the kept copy differs from the acknowledged credential: ` +
            `kept ${JSON.stringify(copy.body.verifiableCredential)}, acked ${JSON.stringify(job.acked?.credential)}`,
        );
    });

    // 3. No orphans: every credential anchored for the school has a kept copy that verifies.
    await pool(anchoredList, 4, async (id) => {
      const copy = await call('GET', `/credentials/${id}`, admin);
      if (copy.status !== 200) {
        problems.push(`orphan ${id}: anchored, copy answers ${copy.status} ${JSON.stringify(copy.body)}`);
        return;
      }
      const failed = await verify(copy.body.verifiableCredential);
      if (failed.length > 0) problems.push(`anchored ${id}: kept copy fails ${JSON.stringify(failed)}`);
    });

    // 4. An id that got no 201 is complete (anchored with a copy, checked above, and refused a
    // second time) or absent everywhere, and then issues again.
    const unanswered = credentialJobs.filter((j) => !j.acked);
    const absent = unanswered.filter((j) => !anchored.has(j.id));
    await pool(unanswered, 4, async (job) => {
      const completed = anchored.has(job.id);
      if (job.attempts.some((a) => a.outcome === 'exists') && !completed)
        problems.push(`${job.id}: a retry was told ALREADY_EXISTS, yet it is not anchored`);
      if (completed) {
        const again = await write(job);
        if (again.status !== 409 || again.body?.error?.code !== 'ALREADY_EXISTS')
          problems.push(`${job.id}: anchored, yet issuing it again answered ${again.status}`);
        return;
      }
      const copy = await call('GET', `/credentials/${job.id}`, admin);
      if (copy.status !== 404) problems.push(`${job.id}: not anchored, yet its copy answers ${copy.status}`);
      const again = await write(job);
      if (again.status !== 201) {
        problems.push(`${job.id}: re-issue answered ${again.status} ${JSON.stringify(again.body)}`);
        return;
      }
      const failed = await verify(again.body.verifiableCredential);
      if (failed.length > 0) problems.push(`${job.id}: re-issued, checks failed ${JSON.stringify(failed)}`);
    });

    // Growth entries: every entry on the ledger has the content it was written with (none without
    // it); an acknowledged one has its acknowledged text; one with no answer is there with one of
    // its attempts' texts, or absent and written again.
    const readArchive = async (): Promise<Map<string, { text: string | undefined; matches: unknown }>> => {
      const read = await call('GET', `/archives/${subjectId}`, teacher);
      expect(read.status, JSON.stringify(read.body)).to.equal(200);
      const entries = read.body.entries as {
        entryId: string;
        content: { text: string } | null;
        contentMatchesLedger: unknown;
      }[];
      return new Map(
        entries.map((e) => [e.entryId, { text: e.content?.text, matches: e.contentMatchesLedger }]),
      );
    };
    const archived = await readArchive();
    for (const [entryId, entry] of archived)
      if (entry.matches !== true) problems.push(`entry ${entryId}: on the ledger without its content`);
    for (const entryId of archived.keys())
      if (!jobs.has(entryId)) problems.push(`entry ${entryId}: on the ledger, never written`);
    const absentEntries: Job[] = [];
    const standingEntries: Job[] = [];
    for (const job of entryJobs) {
      const entry = archived.get(job.id);
      if (job.acked) {
        if (entry?.text !== job.acked.text)
          problems.push(`acked entry ${job.id}: reads ${JSON.stringify(entry)}, acked ${job.acked.text}`);
      } else if (entry) {
        if (!job.attempts.some((a) => a.text === entry.text))
          problems.push(`entry ${job.id}: reads ${entry.text}, which no attempt sent`);
        standingEntries.push(job);
      } else {
        if (job.attempts.some((a) => a.outcome === 'exists'))
          problems.push(`entry ${job.id}: a retry was told ALREADY_EXISTS, yet it is not there`);
        absentEntries.push(job);
      }
    }
    // One that stands without an answer is refused a second time, as an acknowledged one would be.
    await pool(standingEntries, 4, async (job) => {
      const again = await write(job, nextText(job));
      if (again.status !== 409 || again.body?.error?.code !== 'ALREADY_EXISTS')
        problems.push(`entry ${job.id}: on the ledger, yet writing it again answered ${again.status}`);
    });
    await pool(absentEntries, 4, async (job) => {
      const text = nextText(job);
      const again = await write(job, text);
      if (again.status !== 201)
        problems.push(`entry ${job.id}: rewrite answered ${again.status} ${JSON.stringify(again.body)}`);
      else job.acked = { text };
    });
    if (absentEntries.length > 0) {
      const reread = await readArchive();
      for (const job of absentEntries)
        if (
          job.acked &&
          (reread.get(job.id)?.text !== job.acked.text || reread.get(job.id)?.matches !== true)
        )
          problems.push(`entry ${job.id}: rewritten, reads ${JSON.stringify(reread.get(job.id))}`);
    }

    expect(
      problems,
      problems
        .slice(0, 30)
        .map((p) => p.slice(0, 800))
        .join('\n'),
    ).to.deep.equal([]);

    // 5. Issuing still works, and the ledger still verifies after the re-issues.
    const fresh: Job = { id: `urn:uuid:${randomUUID()}`, kind: 'ldp', attempts: [] };
    const after = await write(fresh);
    expect(after.status, JSON.stringify(after.body)).to.equal(201);
    expect(await verify(after.body.verifiableCredential)).to.deep.equal([]);
    const chainAfter = await call('GET', '/ledger/verify', inspector);
    expect(chainAfter.body.problems).to.deep.equal([]);
    expect(chainAfter.body.ok).to.equal(true);

    // How the pending copies each kill left were settled: with the complete record already written
    // (killed before the pending copy was cleared), completed from the ledger's anchor, or discarded
    // (not anchored). An id retried after the kill is counted apart: its retry decided it.
    const settledBy = { record: 0, anchor: 0, discarded: 0, retried: 0 };
    for (const k of kills)
      for (const { id, withRecord } of k.pending) {
        if (jobs.get(id)?.attempts.some((a) => a.run > k.run)) settledBy.retried++;
        else if (withRecord) settledBy.record++;
        else if (anchored.has(id)) settledBy.anchor++;
        else settledBy.discarded++;
      }
    const count = (test: (j: Job) => boolean): number => all.filter(test).length;
    console.log(
      `      seed ${seed}: ${KILLS} kills (ms after the first Data Integrity ack / requests in flight: ` +
        `${kills.map((k) => `${k.afterMs}/${k.inFlight}`).join(', ')}); ` +
        `${all.length} ids attempted (${credentialJobs.length} credentials, ${entryJobs.length} entries), ` +
        `${acked} acked under load, ${count((j) => j.attempts.some((a) => a.outcome === 'cut'))} cut ` +
        `(${count((j) => j.attempts.length > 1)} retried, ` +
        `${count((j) => j.attempts.some((a) => a.outcome === 'exists'))} told ALREADY_EXISTS), ` +
        `${strayCuts} cut with no kill; pending copies left by kills: ` +
        `${kills.map((k) => k.pending.length).join('+')} (${settledBy.record} had their record, ` +
        `${settledBy.anchor} completed from the anchor, ${settledBy.discarded} discarded, ` +
        `${settledBy.retried} retried; the last kill's, by recovery alone: ` +
        `${settled.completed} completed, ${settled.discarded} discarded); ` +
        `written again: ${absent.length} credentials, ${absentEntries.length} entries; ` +
        `load ${(loadMs / 1000).toFixed(1)}s, total ${((Date.now() - began) / 1000).toFixed(1)}s`,
    );
  });
});
