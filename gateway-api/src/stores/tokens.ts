import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { OrgId, Role } from '@edu-ledger/domain';
import type { GatewayDb } from './gateway-db.js';
import { deriveKey } from './sealed.js';

export const Principal = z.object({ orgId: OrgId, role: Role, label: z.string().max(100) });
export type Principal = z.infer<typeof Principal>;

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A stored row: the principal and a MAC that binds it to its token hash. */
const TokenRow = Principal.extend({ mac: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * Bearer tokens. Only a SHA-256 of each token is stored, so a copy of the database does not give
 * anyone a usable token; tokens are 256-bit random, so a plain hash (no salt, no KDF) suffices.
 * Each row carries an HMAC (key derived from the master key) over the token hash and the
 * principal: who a token acts as decides what it may do, so a row written or edited by anyone
 * without the master key (a forged `bureau-admin`, a changed organisation) is refused.
 */
export class TokenStore {
  /**
   * Every request resolves its token, so known tokens are kept in memory (by hash, frozen). This
   * store is the only writer of the token table, and `revoke` drops the entry before it returns,
   * so a revoked token is refused from the next request on. Unknown tokens are not cached.
   */
  private readonly known = new Map<string, Readonly<Principal>>();
  /** Bumped by every revoke: a read that straddled one is not cached. */
  private generation = 0;

  private readonly macKey: Buffer;
  /** Outside demo mode the demo consortium's tokens are refused (see {@link refuseDemoTokens}). */
  private demoTokensRefused = false;

  constructor(
    private readonly db: GatewayDb,
    masterKey: Buffer,
  ) {
    this.macKey = deriveKey(masterKey, 'token-rows');
  }

  /**
   * Called when the gateway starts outside demo mode: the tokens the demo seed wrote (label
   * `demo`, their values in DATA_DIR/demo-tokens.json for anyone who can read the folder) stop
   * resolving, so a data folder switched from demo to production keeps no open door.
   */
  refuseDemoTokens(): void {
    this.demoTokensRefused = true;
    this.known.clear();
  }

  async create(principal: Principal): Promise<string> {
    const token = `edu_${randomBytes(32).toString('base64url')}`;
    const key = hash(token);
    const parsed = Principal.parse(principal);
    await this.db.put(this.db.tokens, key, JSON.stringify({ ...parsed, mac: this.mac(key, parsed) }));
    return token;
  }

  async resolve(token: string): Promise<Principal | undefined> {
    const key = hash(token);
    const cached = this.known.get(key);
    if (cached) return { ...cached };
    const generation = this.generation;
    const raw = await this.db.tokens.get(key);
    if (raw === undefined) return undefined;
    const principal = this.verified(key, raw);
    if (principal === undefined || (this.demoTokensRefused && principal.label === DEMO_LABEL))
      return undefined;
    if (generation === this.generation) {
      if (this.known.size >= MAX_CACHED_TOKENS) this.known.clear();
      this.known.set(key, Object.freeze({ ...principal }));
    }
    return principal;
  }

  private mac(key: string, principal: Principal): string {
    const fields = JSON.stringify([key, principal.orgId, principal.role, principal.label]);
    return createHmac('sha256', this.macKey).update(fields).digest('hex');
  }

  /** The row's principal when its MAC holds; undefined for a malformed, forged or edited row. */
  verifiedRow(key: string, raw: string): Principal | undefined {
    return this.verified(key, raw);
  }

  private verified(key: string, raw: string): Principal | undefined {
    let row: z.infer<typeof TokenRow>;
    try {
      row = TokenRow.parse(JSON.parse(raw));
    } catch {
      return undefined;
    }
    const { mac, ...principal } = row;
    const expected = Buffer.from(this.mac(key, principal), 'hex');
    return timingSafeEqual(expected, Buffer.from(mac, 'hex')) ? principal : undefined;
  }

  async revoke(token: string): Promise<void> {
    const key = hash(token);
    this.generation += 1;
    this.known.delete(key);
    await this.db.del(this.db.tokens, key);
  }
}

const MAX_CACHED_TOKENS = 10_000;

/** The label seed.ts gives the demo consortium's tokens. */
export const DEMO_LABEL = 'demo';

/**
 * Whether the token rows of a store were MAC'ed under this master key: true when the first one
 * verifies, false when it does not, undefined when there is none (key custody adopting a store).
 */
export async function tokenRowsOpenWith(db: GatewayDb, masterKey: Buffer): Promise<boolean | undefined> {
  const store = new TokenStore(db, masterKey);
  for await (const [key, raw] of db.tokens.iterator()) {
    // Other rows share the sublevel under prefixes (staff access); token rows are 64 hex digits.
    if (/^[0-9a-f]{64}$/.test(key)) return store.verifiedRow(key, raw) !== undefined;
  }
  return undefined;
}
