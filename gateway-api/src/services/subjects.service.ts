import type { SubjectInput } from '@edu-ledger/domain';
import { mayHaveCommitted } from '@edu-ledger/ledger-port';
import type { Principal } from '../stores/tokens.js';
import type { Vault } from '../stores/vault.js';
import type { RecordsService } from './records.js';

/**
 * Persons: personal data in the vault, the pseudonymous id and its owning school on the ledger,
 * where the chaincode decides from it who writes a person's archive and evaluations.
 */
export class SubjectsService {
  constructor(
    private readonly vault: Vault,
    private readonly records: RecordsService,
  ) {}

  /**
   * Registers a person in the vault, then on the ledger as owned by the caller's school.
   * @throws DomainError the ledger's refusal (FORBIDDEN_ROLE, FORBIDDEN_ORG...), after removing the
   * vault row; a row whose ledger outcome is unknown stays, as the id may be on the ledger.
   */
  async register(principal: Principal, input: SubjectInput): Promise<{ subjectId: string }> {
    const { subjectId } = await this.vault.register(principal.orgId, input);
    try {
      await this.records.submit(principal, 'registry:RegisterSubject', { subjectId, kind: input.kind });
    } catch (error) {
      if (!mayHaveCommitted(error)) await this.vault.unregister(subjectId);
      throw error;
    }
    return { subjectId };
  }
}
