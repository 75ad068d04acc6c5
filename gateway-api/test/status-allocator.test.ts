import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { StatusAllocator } from '../src/services/status-allocator.js';
import { GatewayDb } from '../src/stores/gateway-db.js';

describe('status-slot allocator', () => {
  it('never hands out a slot twice, across concurrency and a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edu-alloc-'));
    try {
      let db = await GatewayDb.open(dir);
      const first = new StatusAllocator(db);
      const concurrent = (
        await Promise.all(Array.from({ length: 100 }, () => first.allocate('school-gen')))
      ).flat();
      const keys = concurrent.map((s) => `${s.statusListId}/${s.statusIndex}`);
      expect(new Set(keys).size).to.equal(100);
      expect(Math.max(...concurrent.map((s) => s.statusIndex))).to.equal(99);
      await db.close();

      db = await GatewayDb.open(dir);
      const afterRestart = await new StatusAllocator(db).allocate('school-gen', 3);
      // The rest of the reserved block is skipped, never reused.
      expect(afterRestart.map((s) => s.statusIndex)).to.deep.equal([128, 129, 130]);
      expect(afterRestart.every((s) => s.statusListId === 'school-gen.1')).to.equal(true);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
