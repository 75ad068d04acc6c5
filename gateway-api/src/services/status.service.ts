import {
  CredentialAnchor,
  CredentialStatusRecord,
  DomainError,
  ISSUER_ROLES,
  StatusListId,
  type CredentialStatusValue,
  type StatusReason,
} from '@edu-ledger/domain';
import {
  buildStatusListCredential,
  issueCredential,
  LEDGER_STATUS_SIZE,
  LEDGER_STATUS_VALUES,
  type DocumentLoader,
} from '@edu-ledger/credentials';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import type { ChaincodeClient } from './chaincode.js';
import type { Principal } from '../stores/tokens.js';
import type { Directory } from './directory.js';
import type { IssuerKeys } from './issuer-keys.js';
import { statusListUrl } from './issuance.service.js';

export interface StatusDeps {
  ledger: LedgerPort;
  chaincode: ChaincodeClient;
  directory: Directory;
  keys: IssuerKeys;
  documentLoader: DocumentLoader;
  now: () => Date;
  publicUrl: string;
  /**
   * The lists' `ttl`: how long a verifier may keep a list before fetching it again, and how long
   * this gateway serves one signed copy (a status change replaces it at once).
   */
  listTtlMs: number;
  /** How long a signed list stays valid (`validUntil - validFrom`); at least `listTtlMs`. */
  listValidityMs?: number;
}

/**
 * A verifier may cache a list for 5 minutes before fetching it again (`ttl`, and the HTTP
 * `Cache-Control: max-age` of the same length): a revocation reaches a verifier that follows it
 * within 5 minutes, and a busy verifier fetches each list at most 12 times an hour.
 */
export const STATUS_LIST_TTL_MS = 5 * 60_000;

/**
 * A signed list is valid for 24 hours (`validUntil`): a verifier that cannot reach the gateway
 * (offline, or the gateway down) may keep relying on the last list it fetched for that long, and
 * must not after. The list is re-signed whenever a status in it changes, so a fresh copy is never
 * older than the last change.
 */
export const STATUS_LIST_VALIDITY_MS = 24 * 60 * 60_000;

const LIST_ID = /^(.+?)(?:-(revocation|suspension))?$/;

const DEFAULT_REASON: Readonly<Record<CredentialStatusValue, StatusReason>> = {
  active: 'reinstated',
  revoked: 'other',
  suspended: 'under-review',
};

/** Whether an anchoring event says it revoked credentials it superseded. */
function supersedes(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null || !('superseded' in payload)) return false;
  return Array.isArray(payload.superseded) && payload.superseded.length > 0;
}

/**
 * Credential status: changes go to the ledger (issuer only, enforced by the chaincode too), and
 * Bitstring Status List credentials are derived from the ledger's status records and signed by the
 * issuer. A signed list is served from memory for at most `listTtlMs` and dropped at once when a
 * status changes, so the next request re-signs it.
 */
export class StatusService {
  private readonly lists = new Map<string, { credential: unknown; until: number }>();
  /** Counts status changes, so a list read from the ledger before a change is not cached after it. */
  private generation = 0;
  private readonly validityMs: number;

  constructor(private readonly deps: StatusDeps) {
    this.validityMs = Math.max(deps.listValidityMs ?? STATUS_LIST_VALIDITY_MS, deps.listTtlMs);
    deps.ledger.onEvent((event) => {
      // An anchoring that supersedes a live credential revokes it in the same transaction.
      if (
        event.name === 'CredentialStatusChanged' ||
        (event.name === 'CredentialsAnchored' && supersedes(event.payload))
      )
        this.dropLists();
    });
  }

  /** The HTTP caching a status list is served with: the same time as its `ttl`. */
  get cacheControl(): string {
    return `public, max-age=${Math.floor(this.deps.listTtlMs / 1000)}`;
  }

  private dropLists(): void {
    this.generation++;
    this.lists.clear();
  }

  async setStatus(
    principal: Principal,
    credentialId: string,
    status: CredentialStatusValue,
    reasonCode?: StatusReason,
  ): Promise<{ record: CredentialStatusRecord; txId: string; blockNumber: number }> {
    if (!ISSUER_ROLES.includes(principal.role)) {
      throw new DomainError('FORBIDDEN_ROLE', `status changes require one of: ${ISSUER_ROLES.join(', ')}`);
    }
    const identity = await this.deps.directory.identityFor(principal);
    const result = await this.deps.chaincode.submit(identity, 'credentials:SetCredentialStatus', {
      credentialId,
      status,
      reasonCode: reasonCode ?? DEFAULT_REASON[status],
    });
    this.dropLists();
    return {
      record: CredentialStatusRecord.parse(JSON.parse(result.result)),
      txId: result.txId,
      blockNumber: result.blockNumber,
    };
  }

  async history(credentialId: string): Promise<unknown> {
    return JSON.parse(
      await this.deps.chaincode.evaluateText(
        this.deps.directory.readerIdentity,
        'credentials:GetStatusHistory',
        { credentialId },
      ),
    ) as unknown;
  }

  async anchor(credentialId: string): Promise<CredentialAnchor> {
    return CredentialAnchor.parse(
      JSON.parse(
        await this.deps.chaincode.evaluateText(
          this.deps.directory.readerIdentity,
          'credentials:GetCredentialAnchor',
          { credentialId },
        ),
      ),
    );
  }

  /**
   * The signed BitstringStatusListCredential at `/status-lists/<id>`: for `<listId>-revocation` the
   * one-bit list credentials name; for `<listId>-suspension` the one-bit list credentials issued
   * before name beside it; for `<listId>` the list of 2-bit `message` entries (0 active,
   * 1 suspended, 3 revoked) for checkers that want all three states.
   */
  async statusListCredential(id: string): Promise<unknown> {
    const match = LIST_ID.exec(id);
    const listId = StatusListId.safeParse(match?.[1]);
    const purpose = match?.[2] as 'revocation' | 'suspension' | undefined;
    if (!listId.success) throw new DomainError('NOT_FOUND', 'no such status list');
    const cached = this.lists.get(id);
    if (cached && cached.until > Date.now()) return cached.credential;

    const generation = this.generation;
    const list = JSON.parse(
      await this.deps.chaincode.evaluateText(
        this.deps.directory.readerIdentity,
        'credentials:GetStatusList',
        { statusListId: listId.data },
      ),
    ) as { issuerOrgId: string; revoked: number[]; suspended: number[]; size: number };
    if (list.size === 0) throw new DomainError('NOT_FOUND', 'no such status list');
    const org = await this.deps.directory.org(list.issuerOrgId);
    const now = this.deps.now();
    const common = {
      id: statusListUrl(this.deps.publicUrl, listId.data, purpose),
      issuer: org.did,
      validFrom: now,
      validUntil: new Date(now.getTime() + this.validityMs),
      ttl: this.deps.listTtlMs,
    };
    const unsigned = purpose
      ? await buildStatusListCredential({
          ...common,
          statusPurpose: purpose,
          setIndexes: purpose === 'revocation' ? list.revoked : list.suspended,
        })
      : await buildStatusListCredential({
          ...common,
          statusPurpose: 'message',
          statusSize: LEDGER_STATUS_SIZE,
          values: [
            ...list.suspended.map((i) => [i, LEDGER_STATUS_VALUES.suspended] as const),
            ...list.revoked.map((i) => [i, LEDGER_STATUS_VALUES.revoked] as const),
          ],
        });
    const credential = await issueCredential({
      credential: unsigned,
      key: await this.deps.keys.current(org.orgId),
      documentLoader: this.deps.documentLoader,
      now,
    });
    // A status change while this list was read and signed makes it stale: serve it this once only.
    if (generation === this.generation) {
      this.lists.set(id, { credential, until: Date.now() + this.deps.listTtlMs });
    }
    return credential;
  }
}
