import { DomainError, type ClientIdentity } from '@edu-ledger/domain';
import { createDocumentLoader, type DocumentLoader } from '@edu-ledger/credentials';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import type { GatewayDb } from '../stores/gateway-db.js';
import { IdempotencyStore } from '../stores/idempotency.js';
import { TokenStore } from '../stores/tokens.js';
import { Vault } from '../stores/vault.js';
import { Anchorer, type AnchorerOptions } from './anchorer.js';
import { ChaincodeClient } from './chaincode.js';
import { CredentialStore } from './credential-store.js';
import { Directory } from './directory.js';
import { GrowthService } from './growth.service.js';
import { IssuanceService } from './issuance.service.js';
import { IssuerKeys } from './issuer-keys.js';
import { ledgerAnchorLookup } from './recovery.js';
import { NotesService } from './notes.service.js';
import { RecordsService } from './records.js';
import { SubjectsService } from './subjects.service.js';
import { StatusAllocator } from './status-allocator.js';
import { STATUS_LIST_TTL_MS, StatusService } from './status.service.js';
import { InProcessSigner, type CredentialSigner } from './signer.js';
import { VerificationService } from './verification.service.js';
import type { FaultPoints } from './fault-points.js';

export interface ServiceDeps {
  ledger: LedgerPort;
  db: GatewayDb;
  masterKey: Buffer;
  readerIdentity: ClientIdentity;
  publicUrl: string;
  now?: () => Date;
  anchorer?: AnchorerOptions;
  statusListTtlMs?: number;
  /** Signs issued credentials; in-process unless main() passes a worker pool. */
  signer?: CredentialSigner;
  /** Only crash tests pass this: it stops a request between two of its writes. */
  faults?: FaultPoints;
}

/** Where the process is in its life: main() marks a graceful stop, /ready reports it. */
export interface Lifecycle {
  draining: boolean;
}

export interface Services {
  ledger: LedgerPort;
  /** Typed calls of the chaincode's transactions over `ledger`. */
  chaincode: ChaincodeClient;
  db: GatewayDb;
  directory: Directory;
  tokens: TokenStore;
  lifecycle: Lifecycle;
  /** Idempotency-Key claims and the repeatable randomness of retried requests. */
  idempotency: IdempotencyStore;
  vault: Vault;
  keys: IssuerKeys;
  store: CredentialStore;
  documentLoader: DocumentLoader;
  issuance: IssuanceService;
  /** Batches anchors for issuance; metrics read its queues, shutdown waits for it to be idle. */
  anchorer: Anchorer;
  verification: VerificationService;
  status: StatusService;
  records: RecordsService;
  growth: GrowthService;
  /** Teacher-evaluation notes and recognition reasons: sealed in the vault, digests on the ledger. */
  notes: NotesService;
  /** Persons: the vault row and the ledger registration that says which school owns them. */
  subjects: SubjectsService;
  /** Base URL that links handed to other parties (offers, status lists) start with. */
  publicUrl: string;
  now: () => Date;
}

/** Wires the services over their ports. Tests and main() both call this; nothing here listens. */
export function createServices(deps: ServiceDeps): Services {
  const now = deps.now ?? (() => new Date());
  const chaincode = new ChaincodeClient(deps.ledger);
  const directory = new Directory(chaincode, deps.readerIdentity);
  const vault = new Vault(deps.db, deps.masterKey, now);
  const keys = new IssuerKeys(deps.db, chaincode, deps.masterKey);
  const store = new CredentialStore(
    deps.db,
    vault,
    deps.masterKey,
    ledgerAnchorLookup(chaincode, deps.ledger, deps.readerIdentity),
  );
  // DID documents change only when a key is registered or revoked: cached until such an event, and
  // for at most a minute in any case (a ledger whose events this gateway might miss).
  const didCache = new Map<string, { doc: Record<string, unknown> | null; until: number }>();
  deps.ledger.onEvent((event) => {
    if (event.name === 'IssuerKeyRegistered' || event.name === 'IssuerKeyRevoked') didCache.clear();
  });
  const documentLoader = createDocumentLoader({
    // did:web documents come from the ledger's key registry, never from the network.
    resolveDid: async (did) => {
      const hit = didCache.get(did);
      if (hit && hit.until > Date.now()) return hit.doc;
      let doc: Record<string, unknown> | null = null;
      try {
        const parsed: unknown = JSON.parse(
          await chaincode.evaluateText(deps.readerIdentity, 'keys:GetDidDocument', { did }),
        );
        doc = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
      } catch (error) {
        if (!(
          error instanceof DomainError &&
          (error.code === 'NOT_FOUND' || error.code === 'INVALID_ARGUMENT')
        ))
          throw error;
      }
      didCache.set(did, { doc, until: Date.now() + 60_000 });
      return doc;
    },
  });
  const anchorer = new Anchorer(chaincode, deps.anchorer);
  const issuance = new IssuanceService({
    ledger: deps.ledger,
    chaincode,
    directory,
    keys,
    anchorer,
    allocator: new StatusAllocator(deps.db),
    store,
    vault,
    signer: deps.signer ?? new InProcessSigner(documentLoader),
    documentLoader,
    now,
    publicUrl: deps.publicUrl,
    ...(deps.faults ? { faults: deps.faults } : {}),
  });
  const records = new RecordsService(chaincode, directory);
  const verification = new VerificationService({
    ledger: deps.ledger,
    chaincode,
    directory,
    documentLoader,
    now,
  });
  const status = new StatusService({
    ledger: deps.ledger,
    chaincode,
    directory,
    keys,
    documentLoader,
    now,
    publicUrl: deps.publicUrl,
    listTtlMs: deps.statusListTtlMs ?? STATUS_LIST_TTL_MS,
  });
  return {
    ledger: deps.ledger,
    chaincode,
    db: deps.db,
    directory,
    tokens: new TokenStore(deps.db, deps.masterKey),
    idempotency: new IdempotencyStore(deps.db, deps.masterKey),
    lifecycle: { draining: false },
    vault,
    keys,
    store,
    documentLoader,
    issuance,
    anchorer,
    verification,
    status,
    records,
    growth: new GrowthService(deps.db, vault, records, deps.faults),
    notes: new NotesService(deps.db, vault, records, deps.masterKey),
    subjects: new SubjectsService(vault, records),
    publicUrl: deps.publicUrl,
    now,
  };
}
