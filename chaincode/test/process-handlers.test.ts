import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Loads a module in a fresh Node process and reports the process-wide handlers it left behind. */
function handlersAfterLoading(specifier: string): { uncaughtException: number; unhandledRejection: number } {
  const script = `
    await import(${JSON.stringify(specifier)});
    console.log(JSON.stringify({
      uncaughtException: process.listenerCount('uncaughtException'),
      unhandledRejection: process.listenerCount('unhandledRejection'),
    }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).to.equal(0);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
}

describe('process handlers of a process that hosts the contracts', () => {
  it('are not left swallowing uncaught exceptions by fabric-contract-api', () => {
    // fabric-contract-api alone adds one handler of each kind when loaded: the control.
    expect(handlersAfterLoading('fabric-contract-api')).to.deep.equal({
      uncaughtException: 1,
      unhandledRejection: 1,
    });
    expect(handlersAfterLoading('@edu-ledger/chaincode')).to.deep.equal({
      uncaughtException: 0,
      unhandledRejection: 0,
    });
  });
});
