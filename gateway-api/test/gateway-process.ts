import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers that run the real gateway process (`npm start`'s entry point) for start-up tests. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

export interface Run {
  /** Exit code, or undefined while it still runs (it is then listening). */
  code: number | null | undefined;
  stderr: string;
  stop: () => void;
}

/** Starts the real gateway process and waits until it listens or exits. */
export async function startGatewayProcess(dataDir: string, port: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway-api/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', EDU_MODE: 'demo' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null | undefined>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`gateway neither listened nor exited:\n${stdout}${stderr}`)),
      60_000,
    );
    child.stdout.on('data', () => {
      if (stdout.includes('Gateway listening')) {
        clearTimeout(timer);
        done(undefined);
      }
    });
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      done(exitCode);
    });
  });
  return { code, stderr, stop: () => child.kill('SIGTERM') };
}

export async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/health`);
    return true;
  } catch {
    return false;
  }
}
