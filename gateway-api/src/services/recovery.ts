import { CredentialAnchor, DomainError, type ClientIdentity } from '@edu-ledger/domain';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import type { ChaincodeClient } from './chaincode.js';
import type { AnchorLookup, CredentialStore } from './credential-store.js';

/** What one recovery pass did with each pending signed copy it found. */
export interface RecoveryReport {
  /** Anchored with the pending copy's digest: now issued, their copies served. */
  completed: string[];
  /** Not anchored (or anchored with another digest): removed, so the id may be issued again. */
  discarded: string[];
  /** The ledger could not be asked: left pending for the next pass or the next read. */
  unresolved: { credentialId: string; reason: string }[];
}

/**
 * Asks the ledger, as the gateway's reader, whether a credential is anchored and where. Only
 * `CREDENTIAL_NOT_FOUND` means "not anchored"; any other failure is thrown, so that an unreachable
 * ledger never passes for a missing anchor and a pending copy is never discarded on its account.
 */
export function ledgerAnchorLookup(
  chaincode: ChaincodeClient,
  ledger: LedgerPort,
  readerIdentity: ClientIdentity,
): AnchorLookup {
  return async (credentialId) => {
    let anchor: CredentialAnchor;
    try {
      anchor = CredentialAnchor.parse(
        JSON.parse(
          await chaincode.evaluateText(readerIdentity, 'credentials:GetCredentialAnchor', { credentialId }),
        ),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CREDENTIAL_NOT_FOUND') return undefined;
      throw error;
    }
    const location = await ledger.locateTransaction(anchor.txId);
    return {
      digest: anchor.digest,
      txId: anchor.txId,
      batchRoot: anchor.batchRoot,
      ...(location ? { blockNumber: location.blockNumber } : {}),
    };
  };
}

/**
 * Settles the writes a killed process left between the gateway store and the ledger. Call it once
 * at start, before serving: every pending signed copy is completed if its credential is anchored,
 * otherwise discarded. (Growth entries need no pass: their content write is keyed by entry id and
 * a retry overwrites it whenever the ledger has no such entry.) Reads settle a pending copy on
 * their own as well, so a copy this pass could not settle is not lost.
 */
export async function recoverPendingWrites(services: { store: CredentialStore }): Promise<RecoveryReport> {
  const report: RecoveryReport = { completed: [], discarded: [], unresolved: [] };
  for (const credentialId of await services.store.pendingIds()) {
    try {
      const outcome = await services.store.resolve(credentialId);
      if (outcome === 'completed') report.completed.push(credentialId);
      else if (outcome === 'discarded') report.discarded.push(credentialId);
    } catch (error) {
      report.unresolved.push({
        credentialId,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return report;
}
