import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { achievementRequest, type Gateway } from '../../gateway-api/test/harness.js';

/** The real binary, as a user runs it. */
export const BIN = fileURLToPath(new URL('../bin/edu-wallet.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  home: string;
  gateway?: string;
  passphrase?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * Runs edu-wallet as a child process (asynchronously: the gateway it talks to lives in this
 * process, so a synchronous spawn would deadlock). English unless the test sets a locale; a low
 * scrypt cost (EDU_WALLET_SCRYPT_N) keeps every call fast.
 */
export function cli(args: string[], opts: CliOptions): Promise<CliResult> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    LANG: 'en_US.UTF-8',
    LC_ALL: '',
    LC_MESSAGES: '',
    EDU_WALLET_HOME: opts.home,
    EDU_WALLET_SCRYPT_N: '1024',
    EDU_WALLET_PASSPHRASE: opts.passphrase ?? 'correct horse battery',
    EDU_GATEWAY_URL: opts.gateway ?? 'http://127.0.0.1:9',
    EDU_WALLET_BACKUP_PASSPHRASE: '',
    EDU_WALLET_MNEMONIC: '',
    ...opts.env,
  };
  const env = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? tmpdir(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses stdout of a `--json` run, failing the test with stderr when the run did not succeed. */
export function json(result: CliResult): any {
  expect(result.code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).to.equal(0);
  return JSON.parse(result.stdout);
}

/** A fresh, empty wallet folder (not created yet, like a first run). */
export function newHome(): string {
  return join(mkdtempSync(join(tmpdir(), 'edu-wallet-test-')), 'wallet');
}

/** An offer of an OB3 achievement made by the general high school; returns a reachable offer URL. */
export async function makeOffer(
  gw: Gateway,
  name = '优秀学生干部 Outstanding Student Leader',
): Promise<string> {
  const request = achievementRequest('did:key:placeholder', name) as { credential: Record<string, any> };
  const { id: _id, ...subject } = request.credential.credentialSubject;
  const created = await gw.call('POST', '/credential-offers', {
    token: gw.tokens['school-admin@school-gen'],
    body: { credential: { ...request.credential, credentialSubject: subject } },
  });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  return `${gw.url}/credential-offers/${created.body.offerId}`;
}
