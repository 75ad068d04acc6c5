import { mkdirSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import type { AbstractSublevel } from 'abstract-level';

const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;

type Sublevel = AbstractSublevel<ClassicLevel<string, string>, string | Buffer | Uint8Array, string, string>;

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
  readonly counters;
  readonly offers;
  readonly growthContent;
  readonly subjectDids;

  private constructor(readonly db: ClassicLevel<string, string>) {
    this.subjects = db.sublevel<string, string>('subjects', UTF8);
    this.subjectIndex = db.sublevel<string, string>('subject-index', UTF8);
    this.tokens = db.sublevel<string, string>('tokens', UTF8);
    this.orgKeys = db.sublevel<string, string>('org-keys', UTF8);
    this.credentials = db.sublevel<string, string>('credentials', UTF8);
    this.counters = db.sublevel<string, string>('counters', UTF8);
    this.offers = db.sublevel<string, string>('offers', UTF8);
    this.growthContent = db.sublevel<string, string>('growth-content', UTF8);
    this.subjectDids = db.sublevel<string, string>('subject-dids', UTF8);
  }

  static async open(path: string): Promise<GatewayDb> {
    mkdirSync(path, { recursive: true });
    const db = new ClassicLevel<string, string>(path, UTF8);
    await db.open();
    return new GatewayDb(db);
  }

  /** A synced single write: the caller is about to acknowledge it. */
  async put(sublevel: Sublevel, key: string, value: string): Promise<void> {
    await this.db.batch([{ type: 'put', sublevel, key, value }], SYNC);
  }

  async del(sublevel: Sublevel, key: string): Promise<void> {
    await this.db.batch([{ type: 'del', sublevel, key }], SYNC);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export const SYNC = { sync: true } as const;
