import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  createDocumentLoader,
  didKeyFromSeed,
  verifyCredentialProof,
  type Credential,
} from '@edu-ledger/credentials';
import { DomainError } from '@edu-ledger/domain';
import { WorkerPoolSigner } from '../src/services/signer.js';
import { achievementRequest, startGateway } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const PERSONAL = '王小明 110101200805011234';

/** Runs a script in a fresh Node process (with tsx), returning its exit code and output. */
function runScript(body: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edu-proc-'));
  try {
    const file = join(dir, 'script.ts');
    const src = join(repo, 'gateway-api', 'src');
    writeFileSync(
      file,
      `import { installFatalHandlers, watchPrototypes } from '${src}/http/process-handlers.ts';\n` +
        `import { createLogger } from '${src}/logger.ts';\n` +
        `const logger = createLogger('info');\n${body}\n`,
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('gateway hardening: fatal errors end the process', function () {
  this.timeout(60_000);

  it('logs an uncaught exception without its message and exits 1, even past a swallowing handler', () => {
    const { status, output } = runScript(
      `process.on('uncaughtException', () => {});\ninstallFatalHandlers(logger);\n` +
        `setTimeout(() => { throw new Error('${PERSONAL}'); }, 10);\nsetTimeout(() => console.log('STILL-RUNNING'), 2000);`,
    );
    expect(status, output).to.equal(1);
    expect(output).to.include('"kind":"uncaughtException"').and.include('"errorName":"Error"');
    expect(output).not.to.include('STILL-RUNNING');
    expect(output).not.to.include('王小明').and.not.include('110101200805011234');
  });

  it('treats an unhandled rejection and a polluted Object.prototype alike', () => {
    const rejection = runScript(
      `installFatalHandlers(logger);\nvoid Promise.reject(new TypeError('${PERSONAL}'));\nsetTimeout(() => {}, 2000);`,
    );
    expect(rejection.status, rejection.output).to.equal(1);
    expect(rejection.output).to.include('"kind":"unhandledRejection"').and.include('"errorName":"TypeError"');
    expect(rejection.output).not.to.include('王小明');

    const polluted = runScript(
      `watchPrototypes(logger, 20, (code) => process.exit(code));\n` +
        `setTimeout(() => { (Object.prototype as Record<string, unknown>)['@id'] = 'x'; }, 30);\n` +
        `setTimeout(() => console.log('STILL-RUNNING'), 3000);`,
    );
    expect(polluted.status, polluted.output).to.equal(1);
    expect(polluted.output).to.include('"kind":"prototypePollution"').and.not.include('STILL-RUNNING');
  });
});

describe('gateway hardening: every signing job is answered', function () {
  this.timeout(90_000);

  async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
    const started = Date.now();
    try {
      return { value: await promise, ms: Date.now() - started };
    } catch (error) {
      return { error, ms: Date.now() - started };
    }
  }

  it('refuses a job that cannot be posted or signed on its own, and signs the rest of its batch', async () => {
    const pool = new WorkerPoolSigner(1);
    try {
      const { key } = await didKeyFromSeed(new Uint8Array(32).fill(41));
      const credential: Credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: key.controller,
        credentialSubject: { id: 'did:example:holder', name: '测试' },
      };
      let deep: unknown = [];
      for (let i = 0; i < 20_000; i++) deep = [deep];
      const now = new Date();
      // Same turn of the event loop: one batch.
      const [tooDeep, undefinedTerm, ordinary] = await Promise.all([
        outcome(pool.sign({ ...credential, credentialSubject: { id: 'did:example:h', deep } }, key, now)),
        outcome(
          pool.sign({ ...credential, credentialSubject: { id: 'did:example:h', hzUndefined: 1 } }, key, now),
        ),
        outcome(pool.sign(credential, key, now)),
      ]);
      for (const [name, refused] of [
        ['too deep', tooDeep],
        ['undefined term', undefinedTerm],
      ] as const) {
        expect(refused.error, name).to.be.instanceOf(DomainError);
        expect((refused.error as DomainError).code, name).to.equal('INVALID_ARGUMENT');
        expect(refused.ms, name).to.be.below(20_000);
      }
      expect((undefinedTerm.error as DomainError).detail).to.include('hzUndefined');
      expect(ordinary.error).to.equal(undefined);
      const check = await verifyCredentialProof({
        credential: ordinary.value?.credential ?? {},
        documentLoader: createDocumentLoader(),
      });
      expect(check.verified).to.equal(true);
    } finally {
      await pool.close();
    }
  });

  it('refuses a job whose deadline passes', async () => {
    const pool = new WorkerPoolSigner(1, { jobTimeoutMs: 1 });
    try {
      const { key } = await didKeyFromSeed(new Uint8Array(32).fill(42));
      const late = await outcome(
        pool.sign(
          {
            '@context': ['https://www.w3.org/ns/credentials/v2'],
            type: ['VerifiableCredential'],
            issuer: key.controller,
            credentialSubject: { id: 'did:example:late' },
          },
          key,
          new Date(),
        ),
      );
      expect(String(late.error)).to.match(/timed out/);
      expect(late.ms).to.be.below(5_000);
    } finally {
      await pool.close();
    }
  });

  it('answers a failing issuance with 400 and signs the request sent alongside it (worker signer)', async () => {
    const gw = await startGateway({ signer: new WorkerPoolSigner(1) });
    try {
      const token = gw.tokens['school-admin@school-gen'];
      const bad = achievementRequest('did:example:batch-bad') as { credential: Record<string, any> };
      bad.credential.credentialSubject.hzUndefinedTerm = 'x';
      const started = Date.now();
      const [refused, issued] = await Promise.all([
        gw.call('POST', '/credentials/issue', { token, body: bad }),
        gw.call('POST', '/credentials/issue', { token, body: achievementRequest('did:example:batch-ok') }),
      ]);
      expect(Date.now() - started).to.be.below(30_000);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(400);
      expect(refused.body.error.code).to.equal('INVALID_ARGUMENT');
      expect(refused.body.error.message).to.include('hzUndefinedTerm');
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    } finally {
      await gw.close();
    }
  });
});
