/**
 * `npm run test:fabric:faults`: brings up a test network of its own (FABRIC_PORT_BASE and
 * FABRIC_STATE_DIR, by default 9050 and test-network/.state-faults, so it never touches the network
 * of `npm run test:fabric`), runs the fault test on it and brings it down again even when the test
 * fails, then prints the total time. `--keep` leaves the network running for a look
 * (`FABRIC_STATE_DIR=test-network/.state-faults node --import tsx test-network/src/cli.ts status`).
 */
import { join } from 'node:path';
import { runMocha } from '../fabric/mocha.js';

// Before the network module reads them: this run's own ports and state dir, unless told otherwise.
process.env['FABRIC_PORT_BASE'] ??= '9050';
process.env['FABRIC_STATE_DIR'] ??= join('test-network', '.state-faults');

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function mocha(): Promise<number> {
  return runMocha(['test/fabric-faults/faults.test.ts'], 2_400_000);
}

async function main(): Promise<number> {
  const { down, up } = await import('../../test-network/src/network.js');
  const keep = process.argv.includes('--keep');
  const started = Date.now();
  let code = 1;
  try {
    await up();
    console.log(`[test:fabric:faults] network up after ${seconds(started)}`);
    const testsStarted = Date.now();
    code = await mocha();
    console.log(`[test:fabric:faults] fault test took ${seconds(testsStarted)} (exit ${code})`);
  } catch (error) {
    console.error(`[test:fabric:faults] ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (!keep)
      await down().catch((error: unknown) =>
        console.error(`[test:fabric:faults] down failed: ${String(error)}`),
      );
  }
  console.log(`[test:fabric:faults] total ${seconds(started)}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  () => process.exit(1),
);
