import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { OrgId, Role } from '@edu-ledger/domain';
import type { GatewayDb } from './gateway-db.js';

export const Principal = z.object({ orgId: OrgId, role: Role, label: z.string().max(100) });
export type Principal = z.infer<typeof Principal>;

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Bearer tokens. Only a SHA-256 of each token is stored, so a copy of the database does not give
 * anyone a usable token; tokens are 256-bit random, so a plain hash (no salt, no KDF) suffices.
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

  constructor(private readonly db: GatewayDb) {}

  async create(principal: Principal): Promise<string> {
    const token = `edu_${randomBytes(32).toString('base64url')}`;
    await this.db.put(this.db.tokens, hash(token), JSON.stringify(Principal.parse(principal)));
    return token;
  }

  async resolve(token: string): Promise<Principal | undefined> {
    const key = hash(token);
    const cached = this.known.get(key);
    if (cached) return { ...cached };
    const generation = this.generation;
    const raw = await this.db.tokens.get(key);
    if (raw === undefined) return undefined;
    const principal = Principal.parse(JSON.parse(raw));
    if (generation === this.generation) {
      if (this.known.size >= MAX_CACHED_TOKENS) this.known.clear();
      this.known.set(key, Object.freeze({ ...principal }));
    }
    return principal;
  }

  async revoke(token: string): Promise<void> {
    const key = hash(token);
    this.generation += 1;
    this.known.delete(key);
    await this.db.del(this.db.tokens, key);
  }
}

const MAX_CACHED_TOKENS = 10_000;
