/**
 * Processes: running a tool to completion with a clear error, starting a node detached with a pid
 * file, recognising and stopping exactly the processes we started, ports, polling, progress lines.
 */
import { execFile, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A failed step: which step, which command, and the end of what it (or the node's log) said. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    detail: string,
    readonly command?: string,
    readonly output?: string,
  ) {
    const lines = [`${step}: ${detail}`];
    if (command !== undefined) lines.push(`  command: ${command}`);
    if (output !== undefined && output.trim() !== '') lines.push(indent(output.trim()));
    super(lines.join('\n'));
    this.name = 'StepError';
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}

const started = Date.now();
/** A progress line with the seconds since this process started. */
export function progress(message: string): void {
  if (process.env.FABRIC_QUIET === '1') return;
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}`);
}

export function lastLines(text: string, n = 25): string {
  return text.split('\n').slice(-n).join('\n');
}

export function tailFile(file: string, n = 25): string {
  return existsSync(file) ? lastLines(readFileSync(file, 'utf8').trimEnd(), n) : `(no log at ${file})`;
}

export interface RunOptions {
  step: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a tool to completion; a non-zero exit becomes a StepError carrying its output's tail. */
export function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<string> {
  const commandLine = [cmd, ...args].map(shellQuote).join(' ');
  return new Promise((resolvePromise, reject) => {
    execFile(
      cmd,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolvePromise(stdout);
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? `${cmd} not found`
            : error.killed
              ? `timed out after ${opts.timeoutMs ?? 120_000} ms`
              : `exited with ${String(code)}`;
        reject(new StepError(opts.step, why, commandLine, lastLines(`${stdout}\n${stderr}`.trim())));
      },
    );
  });
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An environment variable that proves a process is one this state dir started (pids get reused). */
const MARKER = 'EDU_LEDGER_NODE';
function markerValue(stateRoot: string, name: string): string {
  return `${stateRoot}#${name}`;
}

export interface DetachedSpec {
  name: string;
  cmd: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  stateRoot: string;
  logFile: string;
  pidDir: string;
}

/** Starts a node in its own process group, output to its log, so it outlives the caller. */
export function spawnDetached(spec: DetachedSpec): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.cmd, spec.args, {
      cwd: spec.cwd,
      env: { ...spec.env, [MARKER]: markerValue(spec.stateRoot, spec.name) },
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) {
      throw new StepError(
        `start ${spec.name}`,
        `could not start ${spec.cmd}`,
        [spec.cmd, ...spec.args].join(' '),
      );
    }
    child.unref();
    writeFileSync(join(spec.pidDir, `${spec.name}.pid`), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Is `pid` alive, not a zombie, and started by us for `name` (checked through its environment)? */
export function isOurs(pid: number, stateRoot: string, name: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return environ.includes(`${MARKER}=${markerValue(stateRoot, name)}`);
  } catch {
    return false;
  }
}

export interface PidEntry {
  name: string;
  pid: number;
  alive: boolean;
}

/** Every pid file under `pidDir`, with whether that process is still ours and alive. */
export function readPids(pidDir: string, stateRoot: string): PidEntry[] {
  if (!existsSync(pidDir)) return [];
  return readdirSync(pidDir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => {
      const name = f.slice(0, -'.pid'.length);
      const pid = Number(readFileSync(join(pidDir, f), 'utf8').trim());
      return { name, pid, alive: Number.isInteger(pid) && pid > 1 && isOurs(pid, stateRoot, name) };
    });
}

/**
 * Our processes found through their environment marker rather than pid files: catches nodes whose
 * pid files are gone (a state dir deleted by hand, a crash between spawn and writing the pid).
 */
export function scanOurProcesses(stateRoot: string): PidEntry[] {
  const prefix = `${MARKER}=${stateRoot}#`;
  const found: PidEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const line = readFileSync(`/proc/${entry}/environ`, 'utf8')
        .split('\0')
        .find((l) => l.startsWith(prefix));
      if (line === undefined) continue;
      const name = line.slice(prefix.length);
      // Children of a node (e.g. under a wrapper command) inherit the marker and are stopped too.
      if (isOurs(Number(entry), stateRoot, name)) found.push({ name, pid: Number(entry), alive: true });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** SIGTERM to the node's process group, SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(entry: PidEntry, stateRoot: string, graceMs = 10_000): Promise<void> {
  if (!isOurs(entry.pid, stateRoot, entry.name)) return;
  signalGroup(entry.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(entry.pid, stateRoot, entry.name)) return;
    await sleep(100);
  }
  progress(`${entry.name} (pid ${entry.pid}) ignored SIGTERM for ${graceMs} ms: SIGKILL`);
  signalGroup(entry.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // the group: a wrapper's children (e.g. a chaincode command) go too
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Resolves true if nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolvePromise(true)),
    );
  });
}

export async function checkPortsFree(ports: readonly { port: number; owner: string }[]): Promise<void> {
  const taken: string[] = [];
  for (const { port, owner } of ports) {
    if (!(await portIsFree(port))) taken.push(`127.0.0.1:${port} (${owner})`);
  }
  if (taken.length > 0) {
    throw new StepError(
      'check ports',
      `already in use: ${taken.join(', ')}. Stop whatever listens there (ss -ltnp) or move the network with FABRIC_PORT_BASE=<port>.`,
    );
  }
}

export function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls `check` until it returns a value other than undefined, or throws with `fail()`'s error.
 * Errors thrown by `check` count as "not yet" (connection refused while a node starts), except a
 * StepError, which means "never" and ends the wait at once.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  fail: () => Error,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch((error: unknown) => {
      if (error instanceof StepError) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw fail();
    await sleep(intervalMs);
  }
}

/**
 * Runs `fn` holding a lock directory (mkdir is atomic), so two processes calling up()/down() at
 * once (test files, mocha --parallel workers) take turns instead of killing each other's nodes.
 * A lock whose holder has died is taken over.
 */
export async function withLock<T>(lockDir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const owner = join(lockDir, 'pid');
  const deadline = Date.now() + 10 * 60_000;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(owner, `${process.pid}\n`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(existsSync(owner) ? readFileSync(owner, 'utf8').trim() : NaN);
      if (Number.isInteger(holder) && !processExists(holder)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new StepError(what, `${lockDir} still held by pid ${holder} after 10 min`);
      if (!announced) progress(`waiting for another ${what} (pid ${holder}) to finish`);
      announced = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
