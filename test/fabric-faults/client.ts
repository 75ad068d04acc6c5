/**
 * The fault test's HTTP client: each logical write carries an `Idempotency-Key` of its own and is
 * sent again, with the same key and body, after a connection error or a 5xx, until its deadline.
 * Every attempt has a client-side timeout: a request the gateway leaves unanswered that long is a
 * hang, which the test counts as a failure of its own.
 */

/** Per request: longer than every ledger deadline of the gateway (commit status waits 60 s). */
export const REQUEST_TIMEOUT_MS = Number(process.env['FAULTS_REQUEST_TIMEOUT_MS'] ?? 75_000);
/** Per logical write: long enough to outlast a kill and restart of any one node. */
export const WRITE_DEADLINE_MS = Number(process.env['FAULTS_WRITE_DEADLINE_MS'] ?? 180_000);

/** mulberry32: a small seeded PRNG, so a run's kill moments and write mix can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What one attempt of a write got back. */
export type AttemptResult =
  | { kind: 'answer'; status: number; code?: string; body: any }
  | { kind: 'connection'; detail: string }
  | { kind: 'hang' };

/** One logical write: a route, a caller, a body and its idempotency key. */
export interface Write {
  key: string;
  /** The kind of record it writes (credential, entry, inspection, visit, credit, recognition). */
  kind: string;
  /** The record's id (credential id, entry id, inspection id, ...). */
  id: string;
  path: string;
  token: string;
  body: unknown;
  attempts: AttemptResult[];
  /** The 2xx answer, once acknowledged. */
  acked?: any;
  /** Set when it ends without a 2xx: the last attempt's outcome. */
  failed?: AttemptResult;
}

/** Whether an attempt's outcome calls for sending the same write again. */
function retryable(result: AttemptResult): boolean {
  if (result.kind === 'connection') return true;
  if (result.kind === 'hang') return false;
  return result.status >= 500;
}

/** The stable error code of an error envelope, if it has one. */
function codeOf(body: any): string | undefined {
  const code = body?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

export class WriteClient {
  /** Attempts beyond each write's first. */
  retries = 0;
  constructor(private readonly baseUrl: () => string) {}

  /** Sends one attempt of `w`, never throwing: the outcome says what happened. */
  async attempt(w: Write): Promise<AttemptResult> {
    try {
      const res = await fetch(`${this.baseUrl()}${w.path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${w.token}`,
          'content-type': 'application/json',
          'idempotency-key': w.key,
        },
        body: JSON.stringify(w.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text, and it has no code
      }
      const code = codeOf(body);
      return { kind: 'answer', status: res.status, ...(code ? { code } : {}), body };
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'hang' };
      const cause = error instanceof Error ? (error.cause ?? error) : error;
      return { kind: 'connection', detail: String(cause instanceof Error ? cause.message : cause) };
    }
  }

  /**
   * Sends `w` until it is acknowledged, refused (4xx), hangs, or its deadline passes; retries wait a
   * little longer each time (a restart takes a few seconds). Resolves with the write, updated.
   */
  async send(w: Write, pause: () => Promise<void> = () => Promise.resolve()): Promise<Write> {
    const deadline = Date.now() + WRITE_DEADLINE_MS;
    let backoff = 100;
    for (;;) {
      await pause();
      if (w.attempts.length > 0) this.retries++;
      const result = await this.attempt(w);
      w.attempts.push(result);
      if (result.kind === 'answer' && result.status >= 200 && result.status < 300) {
        w.acked = result.body;
        return w;
      }
      if (!retryable(result) || Date.now() + backoff > deadline) {
        w.failed = result;
        return w;
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
  }
}
