import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run demo', function () {
  this.timeout(120_000);

  it('walks all four record systems on a fresh DATA_DIR, twice, printing each credential id', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edu-demo-'));
    try {
      for (const round of [1, 2]) {
        const result = spawnSync(process.execPath, ['--import', 'tsx', 'gateway-api/src/cli/demo.ts'], {
          cwd: repoRoot,
          env: { ...process.env, DATA_DIR: dataDir },
          encoding: 'utf8',
        });
        expect(result.status, `round ${round}: ${result.stderr}`).to.equal(0);
        const ids = result.stdout.match(/credential urn:uuid:[0-9a-f-]{36}/g) ?? [];
        expect(ids, result.stdout).to.have.length(3);
        expect(result.stdout).to.match(/ok=true/);
        expect(result.stdout).to.contain('Re-inspection passed; inspection closed');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
