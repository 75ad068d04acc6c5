import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { freePort, startGatewayProcess, type Run } from './gateway-process.js';

/**
 * Key custody, on the real gateway process and the real edu-admin command: the key-check value,
 * no key generated over data, rotation killed halfway, file modes, demo tokens in production.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const newKeyFile = (dir: string, name: string): string => {
  const file = join(dir, name);
  writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return file;
};

/** Starts the gateway with `env`; returns the run (code set when it refused to start) and its port. */
async function start(dataDir: string, env: Record<string, string>): Promise<{ run: Run; base: string }> {
  const port = await freePort();
  const run = await startGatewayProcess(dataDir, port, { env: { SIGNING_WORKERS: '0', ...env } });
  return { run, base: `http://127.0.0.1:${port}` };
}

async function stopped(run: Run): Promise<void> {
  run.stop();
  await run.exited;
}

const demoToken = (dataDir: string, who: string): string =>
  (JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<string, string>)[who] ?? '';

async function registerPersons(base: string, token: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const res = await fetch(`${base}/subjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'student',
        name: `测试学生${i}`,
        idNumber: `3101012008010${String(1000 + i)}X`,
        studentNumber: `G3101012008010${String(1000 + i)}`,
        birthDate: '2008-01-01',
      }),
    });
    expect(res.status, await res.clone().text()).to.equal(201);
    ids.push(((await res.json()) as { subjectId: string }).subjectId);
  }
  return ids;
}

/** How many of the persons the gateway can read back (their names decrypt). */
async function readable(base: string, token: string, ids: string[]): Promise<number> {
  let ok = 0;
  for (const id of ids) {
    const res = await fetch(`${base}/subjects/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { data?: { name?: string } };
    if (res.status === 200 && body.data?.name?.startsWith('测试学生')) ok += 1;
  }
  return ok;
}

/** Runs `edu-admin rotate-master-key`; with `pauseAt`, kills it (SIGKILL) once it reports the pause. */
async function rotate(
  dataDir: string,
  oldKeyFile: string,
  newKeyFileName: string,
  pauseAt?: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'gateway-api/src/cli/edu-admin.ts',
      'rotate-master-key',
      '--new-key-file',
      newKeyFileName,
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        EDU_MODE: 'demo',
        EDU_MASTER_KEY_FILE: oldKeyFile,
        ...(pauseAt ? { EDU_TEST_ROTATE_PAUSE: pauseAt } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (pauseAt && stderr.includes('rotation paused')) child.kill('SIGKILL');
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((settle) =>
    child.on('exit', (c, s) => settle([c, s])),
  );
  return { code, signal, stdout, stderr };
}

describe('key custody', function () {
  this.timeout(300_000);
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'edu-keys-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('rotate-master-key killed halfway leaves the vault readable with the old key or the new one', async () => {
    const dataDir = join(root, 'data');
    const oldKey = newKeyFile(root, 'old.key');
    const newKey = newKeyFile(root, 'new.key');
    const first = await start(dataDir, { EDU_MASTER_KEY_FILE: oldKey });
    expect(first.run.code, first.run.output()).to.equal(undefined);
    const token = demoToken(dataDir, 'school-admin@school-gen');
    const ids = await registerPersons(first.base, token, 6);
    await stopped(first.run);

    // Killed while the new wraps are being written: the old key still opens everything.
    const killedEarly = await rotate(dataDir, oldKey, newKey, 'rewrap:2');
    expect(killedEarly.signal, killedEarly.stderr).to.equal('SIGKILL');
    const withNewTooEarly = await start(dataDir, { EDU_MASTER_KEY_FILE: newKey });
    expect(withNewTooEarly.run.code).to.equal(1);
    expect(withNewTooEarly.run.stderr).to.contain('interrupted before it switched');
    const withOld = await start(dataDir, { EDU_MASTER_KEY_FILE: oldKey });
    expect(withOld.run.code, withOld.run.output()).to.equal(undefined);
    expect(await readable(withOld.base, token, ids)).to.equal(ids.length);
    await stopped(withOld.run);

    // Killed after the switch, while rows take their new wraps: the new key opens everything.
    const killedLate = await rotate(dataDir, oldKey, newKey, 'apply:2');
    expect(killedLate.signal, killedLate.stderr).to.equal('SIGKILL');
    const withOldAfterSwitch = await start(dataDir, { EDU_MASTER_KEY_FILE: oldKey });
    expect(withOldAfterSwitch.run.code).to.equal(1);
    expect(withOldAfterSwitch.run.stderr).to.contain('the master key does not match this vault');
    const withNew = await start(dataDir, { EDU_MASTER_KEY_FILE: newKey });
    expect(withNew.run.code, withNew.run.output()).to.equal(undefined);
    expect(await readable(withNew.base, token, ids)).to.equal(ids.length);
    await stopped(withNew.run);

    // A full rotation back, uninterrupted; then only the key it names is accepted.
    const back = await rotate(dataDir, newKey, oldKey);
    expect(back.code, back.stderr).to.equal(0);
    expect(back.stdout).to.contain('Re-wrapped 6 data keys');
    const refused = await start(dataDir, { EDU_MASTER_KEY_FILE: newKey });
    expect(refused.run.code).to.equal(1);
    expect(refused.run.stderr).to.contain('主密钥与此数据库不匹配');
    expect(refused.run.stderr).not.to.match(/\n\s+at /); // no stack trace
    const final = await start(dataDir, { EDU_MASTER_KEY_FILE: oldKey });
    expect(await readable(final.base, token, ids)).to.equal(ids.length);
    await stopped(final.run);
  });

  it('refuses a wrong key, and never generates a key over existing data', async () => {
    const dataDir = join(root, 'data');
    const first = await start(dataDir, {});
    expect(first.run.code, first.run.output()).to.equal(undefined);
    await stopped(first.run);

    const wrong = await start(dataDir, { EDU_MASTER_KEY_FILE: newKeyFile(root, 'wrong.key') });
    expect(wrong.run.code).to.equal(1);
    expect(wrong.run.stderr).to.contain('the master key does not match this vault');

    // The demo key file gone: the data is there, so no new key is made.
    rmSync(join(dataDir, 'master.key'));
    const missing = await start(dataDir, {});
    expect(missing.run.code).to.equal(1);
    expect(missing.run.stderr).to.contain('a new key is never generated over existing data');
    expect(readdirSync(dataDir)).not.to.include('master.key');
  });

  it('creates store files readable by the service user only', async () => {
    const dataDir = join(root, 'fresh');
    const run = await start(dataDir, {});
    expect(run.run.code, run.run.output()).to.equal(undefined);
    await stopped(run.run);
    const loose: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const stat = statSync(path);
        if ((stat.mode & 0o077) !== 0) loose.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
        if (stat.isDirectory()) walk(path);
      }
    };
    walk(dataDir);
    expect(readdirSync(join(dataDir, 'gateway')).length).to.be.greaterThan(2);
    expect(loose).to.deep.equal([]);
    expect(statSync(dataDir).mode & 0o077).to.equal(0);
  });

  it('refuses demo tokens once the data folder runs in production mode', async () => {
    const dataDir = join(root, 'data');
    const keyFile = newKeyFile(root, 'master.key');
    const demo = await start(dataDir, { EDU_MASTER_KEY_FILE: keyFile });
    const token = demoToken(dataDir, 'school-admin@school-gen');
    const whoAmI = (base: string): Promise<Response> =>
      fetch(`${base}/subjects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    // Accepted in demo (the body is then refused: 400, not 401).
    expect((await whoAmI(demo.base)).status).to.equal(400);
    await stopped(demo.run);
    const production = await start(dataDir, { EDU_MODE: 'production', EDU_MASTER_KEY_FILE: keyFile });
    expect(production.run.code, production.run.output()).to.equal(undefined);
    expect((await whoAmI(production.base)).status).to.equal(401);
    await stopped(production.run);
  });

  it('refuses, in production, a key file inside DATA_DIR', async () => {
    const dataDir = join(root, 'data');
    const run = await start(dataDir, {
      EDU_MODE: 'production',
      EDU_MASTER_KEY_FILE: join(dataDir, 'keys', 'master.key'),
    });
    expect(run.run.code).to.equal(2);
    expect(run.run.stderr).to.contain('EDU_MASTER_KEY_FILE: must lie outside DATA_DIR in production');
  });
});
