/**
 * Starts the real gateway (`npm start`'s command line, its own process) on a fresh DATA_DIR and a
 * free port, as the benchmarks' system under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Demo bearer tokens by role@org, as written by the first start. */
  tokens: Record<string, string>;
  /** Resident memory of the gateway process (all its threads), bytes. */
  rss(): number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/**
 * The node arguments of `npm start` (package.json's start script), so the benchmarks run the
 * gateway exactly as it is started in production, heap settings included.
 */
function startScriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.split(/\s+/);
  if (command !== 'node') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return args;
}

export function rssOf(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb * 1024;
  } catch {
    return 0; // the process has exited
  }
}

/** `nodeArgs` go before the entry point (e.g. `--cpu-prof`); `env` adds to this process's. */
export async function startGatewayProcess(
  options: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<GatewayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edu-bench-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), ...startScriptArgs()], {
    cwd: repo,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env, DATA_DIR: dataDir, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((ready, fail) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('listening') && ready());
    void exited.then(() => fail(new Error('gateway exited before it was listening')));
  });
  const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
    string,
    string
  >;
  const pid = child.pid ?? 0;
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    tokens,
    rss: () => rssOf(pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
