import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  CommitError,
  CommitStatusError,
  EndorseError,
  GatewayError,
  StatusCode,
  type SubmitError,
} from '@hyperledger/fabric-gateway';
import { DomainError, findErrorCode } from '@edu-ledger/domain';
import {
  CommitOutcomeUnknownError,
  NotCommittedError,
  TransactionInvalidError,
} from '@edu-ledger/ledger-port';

/** fabric-gateway exports SubmitError as a type only; its instances carry the class name. */
function isSubmitError(error: unknown): error is SubmitError {
  return error instanceof GatewayError && error.name === 'SubmitError';
}

const statusNames = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

/** The validation code's name (`MVCC_READ_CONFLICT`), as Fabric's protos spell it. */
export function validationCodeName(code: number): string {
  return statusNames.get(code) ?? `UNKNOWN_${code}`;
}

/**
 * A chaincode refusal travels as text inside Fabric's own message and the per-peer details
 * (`chaincode response 500, ORG_NOT_FOUND: …`). The stable code is recovered from the details
 * first, since the top-level message is Fabric's wording.
 */
function chaincodeRefusal(error: GatewayError): DomainError | undefined {
  for (const text of [...error.details.map((d) => d.message), error.message]) {
    const found = findErrorCode(text);
    if (found) return new DomainError(found.code, found.detail);
  }
  return undefined;
}

/**
 * Maps fabric-gateway's failures onto the port's: a chaincode refusal keeps its stable code; a
 * failure before ordering is NotCommitted (safe to retry); a lost commit status is
 * CommitOutcomeUnknown (it may yet commit); an invalid commit carries its validation code.
 */
export function toLedgerError(error: unknown, phase: 'evaluate' | 'submit'): Error {
  if (error instanceof DomainError) return error;
  if (error instanceof CommitError) {
    return new TransactionInvalidError(error.transactionId, validationCodeName(error.code));
  }
  if (error instanceof CommitStatusError) {
    return new CommitOutcomeUnknownError(
      `the commit of ${error.transactionId} was not observed: ${grpcName(error.code)}`,
      error.transactionId,
    );
  }
  if (isSubmitError(error) && error.code === GrpcStatus.DEADLINE_EXCEEDED) {
    // The orderer may have taken the envelope before the deadline passed.
    return new CommitOutcomeUnknownError(
      `the hand-over of ${error.transactionId} to the orderer timed out`,
      error.transactionId,
    );
  }
  if (error instanceof GatewayError) {
    const refusal = chaincodeRefusal(error);
    if (refusal) return refusal;
    const txId = error instanceof EndorseError || isSubmitError(error) ? error.transactionId : undefined;
    const what = phase === 'evaluate' ? 'query failed' : 'transaction was not committed';
    return new NotCommittedError(`${what}: ${grpcName(error.code)}`, txId);
  }
  return new DomainError('INTERNAL', 'unexpected ledger client failure');
}

function grpcName(code: number): string {
  const name = Object.entries(GrpcStatus).find(([, value]) => value === code)?.[0];
  return name ?? `gRPC status ${code}`;
}
