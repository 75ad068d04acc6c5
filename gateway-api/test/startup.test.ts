import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { freePort, startGatewayProcess, type Run } from './gateway-process.js';

/** A gateway that cannot serve says so and exits non-zero, in both languages, without a stack trace. */
describe('gateway: start-up refusals', function () {
  this.timeout(180_000);
  let dataDir: string;
  const running: Run[] = [];

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'edu-startup-'));
  });
  after(() => {
    for (const run of running) run.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 1 naming the port when the port is taken, and never claims to listen', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', () => resolve()));
    try {
      const run = await startGatewayProcess(join(dataDir, 'a'), port);
      running.push(run);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr)
        .to.contain(`Port ${port}`)
        .and.to.contain('already in use')
        .and.to.contain('已被占用');
      expect(run.stderr).not.to.match(/\n\s+at /);
    } finally {
      squatter.close();
    }
  });

  it('refuses a second gateway on the same DATA_DIR with a clear message', async () => {
    const first = await startGatewayProcess(join(dataDir, 'b'), await freePort());
    running.push(first);
    expect(first.code, first.stderr).to.equal(undefined);
    const second = await startGatewayProcess(join(dataDir, 'b'), await freePort());
    running.push(second);
    expect(second.code, second.stderr).to.equal(1);
    expect(second.stderr).to.contain('in use by another running gateway').and.to.contain('另一个网关');
    expect(second.stderr).not.to.match(/\n\s+at /);
  });

  it('refuses a store written by an earlier layout, and changes nothing in it', async () => {
    // A gateway store as versions before the format marker left it: rows, no marker.
    const old = join(dataDir, 'old');
    const store = new ClassicLevel<string, string>(join(old, 'gateway'));
    await store.open();
    await store.put('!tokens!abc', '{"orgId":"school-gen","role":"school-admin"}');
    await store.close();

    const run = await startGatewayProcess(old, await freePort());
    running.push(run);
    expect(run.code, run.output()).to.equal(1);
    expect(run.stderr).to.contain('earlier, incompatible version').and.to.contain('不兼容的早期版本');
    expect(run.stderr).not.to.match(/\n\s+at /);

    const after = new ClassicLevel<string, string>(join(old, 'gateway'));
    await after.open();
    expect(await after.keys().all()).to.deep.equal(['!tokens!abc']);
    await after.close();
    // No ledger was created beside it.
    expect(readdirSync(old)).to.deep.equal(['gateway']);
  });

  it('marks a new store with its layout, and starts again on it', async () => {
    const fresh = join(dataDir, 'fresh');
    const first = await startGatewayProcess(fresh, await freePort());
    expect(first.code, first.output()).to.equal(undefined);
    first.stop();
    await first.exited;
    const second = await startGatewayProcess(fresh, await freePort());
    running.push(second);
    expect(second.code, second.output()).to.equal(undefined);
  });
});
