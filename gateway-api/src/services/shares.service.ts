import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '@edu-ledger/domain';
import { seal, unseal, type Sealed } from '../stores/sealed.js';
import type { Services } from './index.js';

/** How long a share link works: long enough to hand over, short enough not to linger. */
export const SHARE_TTL_MS = 24 * 60 * 60_000;
/** The largest share, serialised: a growth report with every dimension is well under this. */
export const SHARE_MAX_BYTES = 64 * 1024;
/** Expired shares removed per new share, so the store never grows without bound. */
const PRUNE_BATCH = 100;

/** 128 random bits, base64url: the share's id in links, and the key its content is sealed with. */
export const ShareId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'a share id');

const Signed = z.union([z.record(z.string(), z.unknown()), z.string().min(10).max(SHARE_MAX_BYTES)]);

export const CreateShareBody = z
  .object({ verifiableCredential: Signed.optional(), verifiablePresentation: Signed.optional() })
  .strict()
  .refine((b) => (b.verifiableCredential === undefined) !== (b.verifiablePresentation === undefined), {
    message: 'send exactly one of verifiableCredential or verifiablePresentation',
  });
export type CreateShareBody = z.infer<typeof CreateShareBody>;

export const ShareCreated = z.object({
  id: ShareId,
  /** The short link, for a QR code: it redirects to `verifyUrl`. */
  url: z.url(),
  /** The verifier page opening this share. */
  verifyUrl: z.url(),
  expiresAt: z.iso.datetime(),
});
export type ShareCreated = z.infer<typeof ShareCreated>;

const StoredShare = z.object({
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  sealed: z.object({ iv: z.string(), tag: z.string(), ct: z.string() }),
});
type StoredShare = z.infer<typeof StoredShare>;

/** One answer for an unknown and an expired share: a link's holder learns nothing more. */
export function shareGone(): DomainError {
  return new DomainError(
    'NOT_FOUND',
    '此分享链接不存在或已过期，请向持有人索取新链接 / this share link does not exist or has expired; ask the holder for a new one',
  );
}

/**
 * Short-lived share links for a credential or presentation the holder chose to show (`edu-wallet
 * share`). The gateway keeps no readable copy: a share is stored under the hash of its id and sealed
 * with a key derived from the id, so the store alone (a backup, a stolen disk) opens nothing; only
 * someone holding the link can read it, until it expires.
 */
export class SharesService {
  private readonly shares;
  /** `<expiresAt>!<row key>` → '': lets expired shares be found and removed in time order. */
  private readonly expiry;

  constructor(private readonly services: Services) {
    const utf8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;
    this.shares = services.db.db.sublevel<string, string>('shares', utf8);
    this.expiry = services.db.db.sublevel<string, string>('share-expiry', utf8);
  }

  /** Stores a share once its signature holds: the gateway is no place for arbitrary documents. */
  async create(body: CreateShareBody): Promise<ShareCreated> {
    const content = JSON.stringify(body);
    if (Buffer.byteLength(content) > SHARE_MAX_BYTES) {
      throw new DomainError('INVALID_ARGUMENT', `a share holds at most ${SHARE_MAX_BYTES} bytes`);
    }
    await this.requireSigned(body);
    await this.prune();
    const id = randomBytes(16).toString('base64url');
    const row = rowKey(id);
    const now = this.services.now();
    const stored: StoredShare = {
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SHARE_TTL_MS).toISOString(),
      sealed: seal(contentKey(id), content, row),
    };
    await this.services.db.db.batch(
      [
        { type: 'put', sublevel: this.shares, key: row, value: JSON.stringify(stored) },
        { type: 'put', sublevel: this.expiry, key: `${stored.expiresAt}!${row}`, value: '' },
      ],
      { sync: true },
    );
    const base = this.services.publicUrl.replace(/\/+$/, '');
    return {
      id,
      url: `${base}/s/${id}`,
      verifyUrl: `${base}/verify/#share=${id}`,
      expiresAt: stored.expiresAt,
    };
  }

  /** The shared document as it was posted, with its expiry; NOT_FOUND when unknown or expired. */
  async read(id: string): Promise<CreateShareBody & { expiresAt: string }> {
    const parsedId = ShareId.safeParse(id);
    if (!parsedId.success) throw shareGone();
    const row = rowKey(parsedId.data);
    const raw = await this.shares.get(row);
    if (raw === undefined) throw shareGone();
    const stored = StoredShare.parse(JSON.parse(raw));
    if (Date.parse(stored.expiresAt) <= this.services.now().getTime()) {
      await this.remove(row, stored.expiresAt);
      throw shareGone();
    }
    const content = CreateShareBody.parse(
      JSON.parse(unseal(contentKey(parsedId.data), stored.sealed as Sealed, row).toString('utf8')),
    );
    return { ...content, expiresAt: stored.expiresAt };
  }

  private async requireSigned(body: CreateShareBody): Promise<void> {
    const { verification } = this.services;
    let signed: boolean;
    if (body.verifiableCredential !== undefined) {
      const result = await verification.verifyCredential(body.verifiableCredential);
      signed = result.checks.some((c) => c.check === 'signature' && c.status === 'valid');
    } else {
      const result = await verification.verifyPresentation(body.verifiablePresentation);
      signed =
        result.credentialResults.length > 0 &&
        result.checks.every((c) => c.status !== 'invalid') &&
        result.credentialResults.every((r) =>
          r.checks.some((c) => c.check === 'signature' && c.status === 'valid'),
        );
    }
    if (!signed) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        'only a credential or presentation whose signatures verify can be shared',
      );
    }
  }

  private async prune(): Promise<void> {
    const nowIso = this.services.now().toISOString();
    const due = await this.expiry.keys({ lt: `${nowIso}!`, limit: PRUNE_BATCH }).all();
    for (const key of due) {
      const [expiresAt = '', row = ''] = key.split('!');
      await this.remove(row, expiresAt);
    }
  }

  private async remove(row: string, expiresAt: string): Promise<void> {
    await this.services.db.db.batch(
      [
        { type: 'del', sublevel: this.shares, key: row },
        { type: 'del', sublevel: this.expiry, key: `${expiresAt}!${row}` },
      ],
      { sync: true },
    );
  }
}

/** Where a share is stored: the hash of its id, so the store does not hold the links. */
function rowKey(id: string): string {
  return createHash('sha256').update(`share:${id}`).digest('base64url');
}

/** The share's own AES key, from its id: without the link its content cannot be read. */
function contentKey(id: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(id, 'utf8'), Buffer.alloc(0), 'edu-ledger/share', 32));
}
