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
  constructor(private readonly db: GatewayDb) {}

  async create(principal: Principal): Promise<string> {
    const token = `edu_${randomBytes(32).toString('base64url')}`;
    await this.db.put(this.db.tokens, hash(token), JSON.stringify(Principal.parse(principal)));
    return token;
  }

  async resolve(token: string): Promise<Principal | undefined> {
    const raw = await this.db.tokens.get(hash(token));
    return raw === undefined ? undefined : Principal.parse(JSON.parse(raw));
  }

  async revoke(token: string): Promise<void> {
    await this.db.del(this.db.tokens, hash(token));
  }
}
