import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers that run the real gateway process (`npm start`'s entry point) for start-up and crash tests. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Output kept per process: enough for a failure's tail, bounded for a long run. */
const OUTPUT_LIMIT = 1_000_000;

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

/** How a gateway process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Run {
  /** Exit code, or undefined while it still runs (it is then listening). */
  code: number | null | undefined;
  /** What the process wrote to stderr so far. */
  readonly stderr: string;
  /** Sends SIGTERM (a graceful stop); {@link exited} says when it is over. */
  stop: () => void;
  /** Sends `signal` (SIGKILL unless told) and settles once the process has exited. */
  kill: (signal?: NodeJS.Signals) => Promise<Exit>;
  /** Settles once the process has exited, and so released DATA_DIR's locks. */
  exited: Promise<Exit>;
  /** Whether the process has exited. */
  readonly done: boolean;
  /** Everything the process wrote so far, stdout and stderr interleaved as they arrived. */
  output: () => string;
}

export interface GatewayProcessOptions {
  /** Environment variables set over the defaults (LOG_LEVEL=warn, EDU_MODE=demo, ...). */
  env?: Record<string, string>;
}

/** Starts the real gateway process and waits until it listens or exits. */
export async function startGatewayProcess(
  dataDir: string,
  port: number,
  options: GatewayProcessOptions = {},
): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway-api/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      EDU_MODE: 'demo',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  const keep = (text: string): void => {
    output += text;
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT / 2);
  };
  let done = false;
  const exited = new Promise<Exit>((settle) => {
    child.on('exit', (code, signal) => {
      done = true;
      settle({ code, signal });
    });
  });
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    // Only the start-up banner is looked for in stdout; the rest of it is kept in `output`.
    if (stdout.length < OUTPUT_LIMIT) stdout += text;
    keep(text);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr += text;
    if (stderr.length > OUTPUT_LIMIT) stderr = stderr.slice(-OUTPUT_LIMIT / 2);
    keep(text);
  });
  const code = await new Promise<number | null | undefined>((settle, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`gateway neither listened nor exited:\n${output}`));
    }, 60_000);
    child.stdout.on('data', () => {
      if (stdout.includes('Gateway listening')) {
        clearTimeout(timer);
        settle(undefined);
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      settle(exit.code);
    });
  });
  return {
    code,
    get stderr() {
      return stderr;
    },
    get done() {
      return done;
    },
    stop: () => child.kill('SIGTERM'),
    kill: (signal = 'SIGKILL') => {
      if (!done) child.kill(signal);
      return exited;
    },
    exited,
    output: () => output,
  };
}

export async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/health`);
    return true;
  } catch {
    return false;
  }
}
