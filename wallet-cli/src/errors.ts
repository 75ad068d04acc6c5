import type { MessageKey } from './i18n.js';

/**
 * Documented exit codes of `edu-wallet` (README of wallet-cli). Scripts branch on these, so a
 * number never changes meaning; new situations get new numbers.
 */
export const EXIT = {
  OK: 0,
  /** Bad arguments, or a request that does not fit the wallet's state (e.g. init on a full wallet). */
  USAGE: 1,
  /** The passphrase does not open the wallet or the backup. */
  WRONG_PASSPHRASE: 2,
  /** No wallet, no such credential, offer or file. */
  NOT_FOUND: 3,
  /** A credential or presentation did not verify, or a received credential is not ours. */
  VERIFICATION_FAILED: 4,
  /** The gateway (or verifier) could not be reached, or refused the request. */
  GATEWAY: 5,
  /** The wallet or backup file is damaged or not a wallet file. */
  CORRUPTED: 6,
  /** The offer can no longer be claimed (already claimed, or expired). */
  OFFER_UNAVAILABLE: 7,
  /** Another edu-wallet process is changing this wallet right now. */
  BUSY: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Stable machine-readable names for the exit codes, used in `--json` error output. */
export const ERROR_NAMES: Readonly<Record<ExitCode, string>> = {
  0: 'OK',
  1: 'USAGE',
  2: 'WRONG_PASSPHRASE',
  3: 'NOT_FOUND',
  4: 'VERIFICATION_FAILED',
  5: 'GATEWAY',
  6: 'CORRUPTED',
  7: 'OFFER_UNAVAILABLE',
  8: 'BUSY',
};

/**
 * An error meant for the person at the terminal: a message key (rendered in their language by
 * main) with parameters, and the exit code. Anything else that escapes is a bug and exits 70.
 */
export class WalletError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly key: MessageKey,
    readonly params: Readonly<Record<string, string | number>> = {},
  ) {
    super(`${key} ${JSON.stringify(params)}`);
    this.name = 'WalletError';
  }
}

/** A command's result: `json` for `--json`, `text` for people. */
export interface Output {
  json: unknown;
  text: string;
}

/**
 * A command that has a full result to show and still must exit non-zero (e.g. `verify` listing
 * every failed check): main prints `output` like a success and exits with `exitCode`.
 */
export class OutputError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly output: Output,
  ) {
    super('command finished with a non-zero exit code');
    this.name = 'OutputError';
  }
}
