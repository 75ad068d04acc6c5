import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { buildChaincode } from '../build.js';
import { contracts, declaredTransactions } from '../src/index.js';

const chaincodeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_ID = `edu-ledger_1:${'ab'.repeat(32)}`;

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the chaincode bundle (dist/server.cjs)', function () {
  this.timeout(60_000);
  let dir: string;
  let bundle: string;

  before(async () => {
    // Inside the package, so that the external packages resolve from node_modules as from dist/;
    // under .tmp/ and dist/, which git, Prettier and ESLint all ignore.
    mkdirSync(join(chaincodeDir, '.tmp'), { recursive: true });
    dir = mkdtempSync(join(chaincodeDir, '.tmp', 'bundle-'));
    bundle = join(dir, 'dist', 'server.cjs');
    const inputs = await buildChaincode(bundle);
    expect(inputs.some((f) => f.startsWith('lib/domain/src/'))).to.equal(true);
    expect(inputs.some((f) => f.includes('node_modules/zod/'))).to.equal(true);
    expect(inputs.some((f) => f.includes('fabric-'))).to.equal(false);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads into fabric-shim with every transaction, argument and result typed as in the source', () => {
    const run = spawnSync(process.execPath, [bundle, '--check'], { encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const described: unknown = JSON.parse(run.stdout);
    const expected = Object.fromEntries(
      contracts.map((Contract) => {
        const contract = new Contract();
        const transactions = declaredTransactions(contract).map((tx) => ({
          name: tx.name,
          submit: tx.submit,
          parameterTypes: Array.from({ length: tx.parameters }, () => 'string'),
          returns: 'string',
        }));
        return [contract.getName(), transactions];
      }),
    );
    expect(described).to.deep.equal(expected);
  });

  it('refuses to start without its environment, naming every missing variable', () => {
    const env = { PATH: process.env.PATH ?? '' };
    const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8', env });
    expect(run.status).to.equal(1);
    expect(run.stderr)
      .to.match(/CHAINCODE_ID: required/)
      .and.match(/CHAINCODE_SERVER_ADDRESS: required/);
  });

  it('exports its contracts without starting a server when required as a module', () => {
    const script = `const m = require(${JSON.stringify(bundle)}); console.log(m.contracts.length);`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal(String(contracts.length));
  });

  it('listens for peers on CHAINCODE_SERVER_ADDRESS', async () => {
    const port = await freePort();
    const env = { ...process.env, CHAINCODE_ID: PACKAGE_ID, CHAINCODE_SERVER_ADDRESS: `127.0.0.1:${port}` };
    const child = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const started = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          if (stderr.includes('listening')) resolve(stderr);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
      });
      expect(started).to.include(`listening on 127.0.0.1:${port} as ${PACKAGE_ID}`);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.end();
          resolve();
        });
        socket.on('error', reject);
      });
    } finally {
      child.kill();
    }
  });
});
