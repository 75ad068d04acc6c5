import { spawn } from 'node:child_process';

/**
 * Runs mocha as the Fabric runners do (test/fabric/run.ts, test/fabric-faults/run.ts): TypeScript
 * through tsx, the shared set-up, no .mocharc (its spec list is the embedded run's), output to this
 * terminal. Resolves mocha's exit code (1 if it was killed by a signal).
 */
export function runMocha(
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const all = [
    'mocha',
    '--no-config',
    '--node-option',
    'import=tsx',
    '--require',
    'test/mocha-setup.ts',
    '--extension',
    'ts',
    '--timeout',
    String(timeoutMs),
    '--exit',
    ...args,
  ];
  return new Promise((resolve) => {
    const child = spawn('npx', all, { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
