import {
  CredentialAnchor,
  CredentialStatusRecord,
  DomainError,
  ISSUER_ROLES,
  StatusListId,
  type CredentialStatusValue,
  type StatusReason,
} from '@edu-ledger/domain';
import { buildStatusListCredential, issueCredential, type DocumentLoader } from '@edu-ledger/credentials';
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
  /** How long a signed status list may be served from memory. */
  listTtlMs: number;
}

const DEFAULT_REASON: Readonly<Record<CredentialStatusValue, StatusReason>> = {
  active: 'reinstated',
  revoked: 'other',
  suspended: 'under-review',
};

/**
 * Credential status: changes go to the ledger (issuer only, enforced by the chaincode too), and
 * Bitstring Status List credentials are derived from the ledger's status records and signed by the
 * issuer. A signed list is cached for at most `listTtlMs` and dropped at once when a status changes.
 */
/** Whether an anchoring event says it revoked credentials it superseded. */
function supersedes(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null || !('superseded' in payload)) return false;
  return Array.isArray(payload.superseded) && payload.superseded.length > 0;
}

export class StatusService {
  private readonly lists = new Map<string, { credential: unknown; until: number }>();

  constructor(private readonly deps: StatusDeps) {
    deps.ledger.onEvent((event) => {
      // An anchoring that supersedes a live credential revokes it in the same transaction.
      if (
        event.name === 'CredentialStatusChanged' ||
        (event.name === 'CredentialsAnchored' && supersedes(event.payload))
      )
        this.lists.clear();
    });
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
    this.lists.clear();
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

  /** The signed BitstringStatusListCredential for `<listId>-revocation` or `<listId>-suspension`. */
  async statusListCredential(id: string): Promise<unknown> {
    const match = /^(.+)-(revocation|suspension)$/.exec(id);
    const listId = StatusListId.safeParse(match?.[1]);
    const purpose = match?.[2];
    if (!listId.success || (purpose !== 'revocation' && purpose !== 'suspension')) {
      throw new DomainError('NOT_FOUND', 'no such status list');
    }
    const cached = this.lists.get(id);
    if (cached && cached.until > Date.now()) return cached.credential;

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
    const unsigned = await buildStatusListCredential({
      id: statusListUrl(this.deps.publicUrl, listId.data, purpose),
      issuer: org.did,
      statusPurpose: purpose,
      setIndexes: purpose === 'revocation' ? list.revoked : list.suspended,
      validFrom: now,
    });
    const credential = await issueCredential({
      credential: { ...unsigned, validUntil: new Date(now.getTime() + this.deps.listTtlMs).toISOString() },
      key: await this.deps.keys.current(org.orgId),
      documentLoader: this.deps.documentLoader,
      now,
    });
    this.lists.set(id, { credential, until: Date.now() + this.deps.listTtlMs });
    return credential;
  }
}
