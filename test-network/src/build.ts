/**
 * Builds Fabric's binaries from the pinned source archive into a cache keyed by the archive's
 * sha256, so only the first run pays for `go build` (about a minute on two cores).
 *
 *   archive: $FABRIC_ARCHIVE, default <repo>/../shared/vendor/hyperledger-fabric-3.1.5.tar.gz
 *   cache:   $FABRIC_BIN_CACHE/<sha256>/{bin,sampleconfig}, FABRIC_BIN_CACHE defaulting to
 *            ${XDG_CACHE_HOME:-$HOME/.cache}/edu-ledger/fabric
 *
 * Two builds may run at once (two shells, or tests started together): each builds in its own temp
 * dir and renames it into place; the loser of the rename discards its copy and uses the winner's.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { progress, run, StepError } from './proc.js';
import { REPO_ROOT } from './topology.js';

export const FABRIC_VERSION = '3.1.5';
export const FABRIC_SHA256 = 'a9d41c1bcd902b6ba337c1cc86c199f569712c6a5f9d13818740442fc400ba28';
// `discover` beyond the usual five: it asks a peer what the Gateway will ask it (which orgs can
// endorse a chaincode), so deployChaincode() can wait until a new definition is really usable.
export const FABRIC_TOOLS = [
  'peer',
  'orderer',
  'configtxgen',
  'cryptogen',
  'osnadmin',
  'configtxlator',
  'discover',
] as const;

export interface FabricInstall {
  binDir: string;
  /** Fabric's sampleconfig (core.yaml, orderer.yaml, configtx.yaml, msp). */
  configDir: string;
  bin(tool: (typeof FABRIC_TOOLS)[number]): string;
}

export function archivePath(): string {
  return resolve(
    process.env.FABRIC_ARCHIVE ??
      join(REPO_ROOT, '..', 'shared', 'vendor', `hyperledger-fabric-${FABRIC_VERSION}.tar.gz`),
  );
}

function cacheRoot(): string {
  if (process.env.FABRIC_BIN_CACHE) return resolve(process.env.FABRIC_BIN_CACHE);
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'edu-ledger', 'fabric');
}

function install(dir: string): FabricInstall {
  const binDir = join(dir, 'bin');
  return { binDir, configDir: join(dir, 'sampleconfig'), bin: (tool) => join(binDir, tool) };
}

function isComplete(fabric: FabricInstall): boolean {
  return (
    FABRIC_TOOLS.every((t) => existsSync(fabric.bin(t))) && existsSync(join(fabric.configDir, 'core.yaml'))
  );
}

/** The cached install, or undefined if it has not been built yet. No archive needed for a hit. */
export function cachedFabric(): FabricInstall | undefined {
  const fabric = install(join(cacheRoot(), FABRIC_SHA256));
  return isComplete(fabric) ? fabric : undefined;
}

/** Returns the cached binaries, building them first if needed. */
export async function ensureFabric(): Promise<FabricInstall> {
  const hit = cachedFabric();
  if (hit !== undefined) {
    progress(`fabric ${FABRIC_VERSION}: cached in ${hit.binDir}`);
    return hit;
  }
  const archive = archivePath();
  await checkArchive(archive);
  const go = await checkGo();
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  removeAbandonedBuilds(root);
  const tmp = await mkdtemp(join(root, `.build-${process.pid}-`));
  try {
    const t0 = Date.now();
    progress(`fabric ${FABRIC_VERSION}: extracting ${archive}`);
    await run('tar', ['-xzf', archive, '-C', tmp], { step: 'extract fabric source' });
    const src = join(tmp, `fabric-${FABRIC_VERSION}`);
    progress(
      `fabric ${FABRIC_VERSION}: go build ${FABRIC_TOOLS.join(' ')} (${go}; about a minute on 2 cores)`,
    );
    await goBuild(src, join(tmp, 'out', 'bin'));
    await cp(join(src, 'sampleconfig'), join(tmp, 'out', 'sampleconfig'), { recursive: true });
    writeFileSync(
      join(tmp, 'out', 'BUILD-INFO'),
      `fabric ${FABRIC_VERSION}\nsha256 ${FABRIC_SHA256}\n${go}\n`,
    );
    publish(join(tmp, 'out'), join(root, FABRIC_SHA256));
    progress(`fabric ${FABRIC_VERSION}: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const built = cachedFabric();
  if (built === undefined)
    throw new StepError('build fabric', `the cache at ${root} is incomplete after the build`);
  return built;
}

async function checkArchive(archive: string): Promise<void> {
  if (!existsSync(archive)) {
    throw new StepError(
      'build fabric',
      `the Fabric source archive is missing: ${archive}\n  (set FABRIC_ARCHIVE to hyperledger-fabric-${FABRIC_VERSION}.tar.gz, sha256 ${FABRIC_SHA256})`,
    );
  }
  progress(`fabric ${FABRIC_VERSION}: checking sha256 of ${archive}`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(archive)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== FABRIC_SHA256) {
    throw new StepError(
      'build fabric',
      `${archive} has sha256 ${actual}, expected ${FABRIC_SHA256} (Fabric ${FABRIC_VERSION}); refusing to build from it`,
    );
  }
}

async function checkGo(): Promise<string> {
  try {
    return (await run('go', ['version'], { step: 'check go' })).trim();
  } catch {
    throw new StepError(
      'build fabric',
      'the Go toolchain is missing: `go` is not on PATH (Fabric needs go >= 1.26.4)',
    );
  }
}

async function goBuild(src: string, out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  const env = {
    ...process.env,
    // Dependencies come from the archive's vendor/ dir; no network, no toolchain download.
    GOFLAGS: '-mod=vendor -buildvcs=false',
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    CGO_ENABLED: '0',
  };
  const ticker = setInterval(() => progress('fabric: still building...'), 20_000);
  try {
    const pkgs = FABRIC_TOOLS.map((t) => `./cmd/${t}`);
    await run('go', ['build', '-trimpath', '-o', `${out}/`, ...pkgs], {
      step: 'build fabric (go build)',
      cwd: src,
      env,
      timeoutMs: 30 * 60_000,
    });
  } finally {
    clearInterval(ticker);
  }
}

/** Atomic publish: rename the finished tree into place; if another build got there first, keep theirs. */
function publish(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && isComplete(install(to))) {
      progress('fabric: a concurrent build finished first; using its binaries');
      return;
    }
    throw error;
  }
}

/** Temp dirs of builds whose process is gone (killed mid-build) are removed. */
function removeAbandonedBuilds(root: string): void {
  for (const entry of readdirSync(root)) {
    const match = /^\.build-(\d+)-/.exec(entry);
    if (match === null) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch {
      rmSync(join(root, entry), { recursive: true, force: true });
    }
  }
}
