import { CommanderError } from 'commander';
import { DomainError } from '@edu-ledger/domain';

/** edu-admin's exit codes; documented in the README ("Running in production"). */
export const EXIT = {
  OK: 0,
  /** A command used wrongly, or refused by the gateway or ledger (the message says why). */
  USAGE: 1,
  /** The master key is missing, wrong for this data, or unreadable. */
  MASTER_KEY: 2,
  /** The data folder is in use by a running gateway, or cannot be written. */
  DATA_DIR: 3,
  /** A backup file is damaged, or its check failed after a restore. */
  BACKUP: 4,
  /** The gateway cannot be reached, or answered something that is not its API (consortium commands). */
  GATEWAY: 5,
  /** Something unexpected: the message names what. */
  INTERNAL: 70,
} as const;

/** A failure an edu-admin command reports with its exit code and a bilingual message. */
export class AdminError extends Error {
  constructor(
    readonly exitCode: number,
    /** `中文 / English`. */
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

/** Prints a failure (never a stack trace) and returns the exit code to use. */
export function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0.
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  const exitCode =
    error instanceof AdminError ? error.exitCode : error instanceof DomainError ? EXIT.USAGE : EXIT.INTERNAL;
  const message =
    error instanceof AdminError || error instanceof DomainError
      ? error.message
      : `意外错误 / unexpected error (${error instanceof Error ? error.name : typeof error})`;
  const code = error instanceof DomainError ? error.code : undefined;
  if (json) console.error(JSON.stringify({ error: { ...(code ? { code } : {}), message } }));
  else console.error(message);
  return exitCode;
}
