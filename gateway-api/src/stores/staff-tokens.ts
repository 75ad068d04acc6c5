import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { OrgId, Role, Timestamp } from '@edu-ledger/domain';
import type { GatewayDb } from './gateway-db.js';
import type { Principal, TokenStore } from './tokens.js';

/**
 * A named staff member's access: one role in one organisation until an expiry. The bearer token
 * itself lives in the {@link TokenStore} (a SHA-256 only, its principal bound by the store's MAC);
 * this row adds what a token row cannot say — who it is for, who created it, until when — and is
 * what makes it valid: a token whose label names a staff access without its row (revoked) or
 * past its expiry is refused.
 */
export const StaffAccess = z.object({
  accessId: z.uuid(),
  orgId: OrgId,
  role: Role,
  /** The staff member's name as the administrator typed it: kept in this store only, never logged or put on the ledger. */
  name: z.string().min(1).max(100),
  createdBy: OrgId,
  createdAt: Timestamp,
  expiresAt: Timestamp,
});
export type StaffAccess = z.infer<typeof StaffAccess>;

const StaffRow = StaffAccess.extend({ tokenHash: z.string().regex(/^[0-9a-f]{64}$/) });

/** Token labels of staff access start with this; other labels (`demo`, ...) are not staff tokens. */
const LABEL_PREFIX = 'staff:';
/** Rows share the tokens sublevel under this prefix (token rows are keyed by 64 hex digits, so never clash). */
const ROW_PREFIX = 'staff-access:';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class StaffAccessStore {
  constructor(
    private readonly db: GatewayDb,
    private readonly tokens: TokenStore,
  ) {}

  /** Creates the access and its token; the token is returned once and stored as a hash only. */
  async create(
    request: Pick<StaffAccess, 'orgId' | 'role' | 'name' | 'expiresAt' | 'createdBy'>,
    now: Date,
  ): Promise<{ access: StaffAccess; token: string }> {
    const accessId = randomUUID();
    const token = await this.tokens.create({
      orgId: request.orgId,
      role: request.role,
      label: `${LABEL_PREFIX}${accessId}`,
    });
    const access = StaffAccess.parse({ ...request, accessId, createdAt: now.toISOString() });
    await this.db.put(
      this.db.tokens,
      ROW_PREFIX + accessId,
      JSON.stringify({ ...access, tokenHash: sha256(token) }),
    );
    return { access, token };
  }

  /** Every live access (expired ones included, so an administrator sees them), of one organisation or all. */
  async list(orgId?: string): Promise<StaffAccess[]> {
    const out: StaffAccess[] = [];
    for await (const [, raw] of this.db.tokens.iterator({ gte: ROW_PREFIX, lt: `${ROW_PREFIX}\uffff` })) {
      const row = parseRow(raw);
      if (row && (orgId === undefined || row.orgId === orgId)) out.push(stripHash(row));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(accessId: string): Promise<StaffAccess | undefined> {
    const row = await this.row(accessId);
    return row ? stripHash(row) : undefined;
  }

  /** Removes the access and its token row: the token is refused from the next request on. */
  async revoke(accessId: string): Promise<boolean> {
    const row = await this.row(accessId);
    if (!row) return false;
    await this.db.del(this.db.tokens, ROW_PREFIX + accessId);
    await this.db.del(this.db.tokens, row.tokenHash);
    return true;
  }

  /**
   * Whether a resolved principal may act: anything that is not a staff token passes (its own store
   * decided); a staff token needs its row, unexpired, naming the same organisation and role.
   */
  async stillValid(principal: Principal, now: Date): Promise<boolean> {
    if (!principal.label.startsWith(LABEL_PREFIX)) return true;
    const row = await this.row(principal.label.slice(LABEL_PREFIX.length));
    return (
      row !== undefined &&
      row.orgId === principal.orgId &&
      row.role === principal.role &&
      Date.parse(row.expiresAt) > now.getTime()
    );
  }

  private async row(accessId: string): Promise<z.infer<typeof StaffRow> | undefined> {
    if (!z.uuid().safeParse(accessId).success) return undefined;
    const raw = await this.db.tokens.get(ROW_PREFIX + accessId);
    return raw === undefined ? undefined : parseRow(raw);
  }
}

function parseRow(raw: string): z.infer<typeof StaffRow> | undefined {
  try {
    return StaffRow.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

function stripHash(row: z.infer<typeof StaffRow>): StaffAccess {
  const { tokenHash: _hash, ...access } = row;
  return access;
}
