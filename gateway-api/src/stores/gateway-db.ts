import { mkdirSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import type { AbstractSublevel } from 'abstract-level';

const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;

type Sublevel = AbstractSublevel<ClassicLevel<string, string>, string | Buffer | Uint8Array, string, string>;
type Op =
  | { type: 'put'; sublevel: Sublevel; key: string; value: string }
  | { type: 'del'; sublevel: Sublevel; key: string };

/**
 * The gateway's own LevelDB (apart from the ledger): vault, tokens, issuer keys, issued-credential
 * index and counters, each in its own sublevel. Writes that acknowledge a request are synced.
 */
export class GatewayDb {
  readonly subjects;
  readonly subjectIndex;
  readonly tokens;
  readonly orgKeys;
  readonly credentials;
  /** Signed copies written before their anchor, until the ledger's answer completes or discards them. */
  readonly pendingCredentials;
  readonly counters;
  readonly offers;
  readonly growthContent;
  readonly subjectDids;
  /** Sealed free text about persons (evaluation notes, decision reasons) whose digests are on the ledger. */
  readonly personNotes;
  /** Idempotency-Key claims: which request body each (caller, key) was first used with. */
  readonly idempotency;

  private constructor(readonly db: ClassicLevel<string, string>) {
    this.subjects = db.sublevel<string, string>('subjects', UTF8);
    this.subjectIndex = db.sublevel<string, string>('subject-index', UTF8);
    this.tokens = db.sublevel<string, string>('tokens', UTF8);
    this.orgKeys = db.sublevel<string, string>('org-keys', UTF8);
    this.credentials = db.sublevel<string, string>('credentials', UTF8);
    this.pendingCredentials = db.sublevel<string, string>('pending-credentials', UTF8);
    this.counters = db.sublevel<string, string>('counters', UTF8);
    this.offers = db.sublevel<string, string>('offers', UTF8);
    this.growthContent = db.sublevel<string, string>('growth-content', UTF8);
    this.subjectDids = db.sublevel<string, string>('subject-dids', UTF8);
    this.personNotes = db.sublevel<string, string>('person-notes', UTF8);
    this.idempotency = db.sublevel<string, string>('idempotency', UTF8);
  }

  static async open(path: string): Promise<GatewayDb> {
    mkdirSync(path, { recursive: true });
    const db = new ClassicLevel<string, string>(path, UTF8);
    await db.open();
    try {
      await checkFormat(db, path);
    } catch (error) {
      await db.close();
      throw error;
    }
    return new GatewayDb(db);
  }

  /** A synced single write: the caller is about to acknowledge it. */
  put(sublevel: Sublevel, key: string, value: string): Promise<void> {
    return this.write({ type: 'put', sublevel, key, value });
  }

  del(sublevel: Sublevel, key: string): Promise<void> {
    return this.write({ type: 'del', sublevel, key });
  }

  private readonly queue: { op: Op; done: (error?: unknown) => void }[] = [];
  private flushing = false;

  /**
   * Group commit: writes that arrive while a synced batch is on its way to disk go together in the
   * next one, so concurrent requests share an fsync instead of queueing for one each. A write on an
   * idle database is flushed at once, so nothing waits for company.
   */
  private write(op: Op): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ op, done: (error) => (error === undefined ? resolve() : reject(error)) });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        try {
          await this.db.batch(
            batch.map((b) => b.op),
            SYNC,
          );
          for (const b of batch) b.done();
        } catch (error) {
          for (const b of batch) b.done(error ?? new Error('write failed'));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Every key and value as of this instant, as raw bytes, for a backup: the LevelDB snapshot is
   * taken synchronously, so the ledger's can be taken in the same tick (see backup.service.ts).
   */
  snapshot(): { entries(): AsyncIterable<[Buffer, Buffer]>; close(): Promise<void> } {
    const snapshot = this.db.snapshot();
    return {
      entries: () =>
        this.db.iterator<Buffer, Buffer>({ snapshot, keyEncoding: 'buffer', valueEncoding: 'buffer' }),
      close: () => snapshot.close(),
    };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export const SYNC = { sync: true } as const;

/**
 * The layout of the gateway's store and of the ledger beside it. Version 3: MACs on token and
 * person rows, persons registered on the ledger, PD rules keyed by bureau. Earlier layouts came
 * before the first release and have no migration.
 */
export const STORE_FORMAT = 3;
const FORMAT_KEY = 'store-format';

/** A store written by a layout this version cannot read. */
export class StoreFormatError extends Error {
  constructor(path: string, found: string) {
    super(
      `${path} 由不兼容的早期版本写入（存储格式 ${found}，本版本需要 ${STORE_FORMAT}），请移走该目录后重新启动 / ` +
        `${path} was written by an earlier, incompatible version (store format ${found}, this version needs ` +
        `${STORE_FORMAT}); move the data folder aside and start again`,
    );
    this.name = 'StoreFormatError';
  }
}

/**
 * Marks a new store with this layout, and refuses an older one at start with a clear message
 * instead of letting it fail later on rows or ledger keys it does not understand.
 */
async function checkFormat(db: ClassicLevel<string, string>, path: string): Promise<void> {
  const meta = db.sublevel<string, string>('meta', UTF8);
  const found = await meta.get(FORMAT_KEY);
  if (found === String(STORE_FORMAT)) return;
  if (found !== undefined) throw new StoreFormatError(path, found);
  const [anyKey] = await db.keys({ limit: 1 }).all();
  if (anyKey !== undefined) throw new StoreFormatError(path, 'unmarked (1-2)');
  await db.batch([{ type: 'put', sublevel: meta, key: FORMAT_KEY, value: String(STORE_FORMAT) }], SYNC);
}
