import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import fabricContractApi from 'fabric-contract-api';
import { Context, Transaction } from '@edu-ledger/chaincode';
import { DomainError } from '@edu-ledger/domain';
import { EmbeddedLedger, x509Identity } from '../src/index.js';

const { Contract } = fabricContractApi;
const alice = x509Identity('Org1MSP', 'alice');

/**
 * A deliberately small contract: the ledger's semantics are tested on their own, apart from the
 * education contracts. `gate` lets a test hold simulations between their read and their write.
 */
let gate: Promise<void> = Promise.resolve();

class CounterContract extends Contract {
  constructor() {
    super('counter');
  }

  @Transaction()
  async Add(ctx: Context, name: string, by: string): Promise<string> {
    const key = ctx.stub.createCompositeKey('counter', [name]);
    const raw = await ctx.stub.getState(key);
    const current = raw.length ? Number(Buffer.from(raw).toString()) : 0;
    await gate;
    const next = current + Number(by);
    await ctx.stub.putState(key, Buffer.from(String(next)));
    ctx.stub.setEvent('Added', Buffer.from(JSON.stringify({ name, next })));
    return String(next);
  }

  @Transaction()
  async Remove(ctx: Context, name: string): Promise<string> {
    await ctx.stub.deleteState(ctx.stub.createCompositeKey('counter', [name]));
    return 'ok';
  }

  @Transaction()
  async Fail(ctx: Context, name: string): Promise<string> {
    await ctx.stub.putState(ctx.stub.createCompositeKey('counter', [name]), Buffer.from('999'));
    throw new Error('INVALID_STATE: refused after writing');
  }

  @Transaction(false)
  async List(ctx: Context): Promise<string> {
    const out: string[] = [];
    const it = await ctx.stub.getStateByPartialCompositeKey('counter', []);
    for (;;) {
      const r = await it.next();
      if (r.value)
        out.push(
          `${ctx.stub.splitCompositeKey(r.value.key).attributes[0]}=${Buffer.from(r.value.value).toString()}`,
        );
      if (r.done) break;
    }
    return out.join(',');
  }

  /** Counts the range, then writes: a range read that a concurrent insert turns into a phantom. */
  @Transaction()
  async CountInto(ctx: Context, name: string): Promise<string> {
    const it = await ctx.stub.getStateByPartialCompositeKey('counter', []);
    let n = 0;
    for (;;) {
      const r = await it.next();
      if (r.value) n++;
      if (r.done) break;
    }
    await gate;
    await ctx.stub.putState(ctx.stub.createCompositeKey('total', [name]), Buffer.from(String(n)));
    return String(n);
  }

  @Transaction(false)
  async Page(ctx: Context, size: string, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      'counter',
      [],
      Number(size),
      bookmark,
    );
    const keys: string[] = [];
    for (;;) {
      const r = await iterator.next();
      if (r.value) keys.push(ctx.stub.splitCompositeKey(r.value.key).attributes[0] ?? '');
      if (r.done) break;
    }
    return JSON.stringify({ keys, bookmark: metadata.bookmark });
  }

  @Transaction(false)
  async History(ctx: Context, name: string): Promise<string> {
    const it = await ctx.stub.getHistoryForKey(ctx.stub.createCompositeKey('counter', [name]));
    const out: string[] = [];
    for (;;) {
      const r = await it.next();
      if (r.value) out.push(r.value.isDelete ? 'deleted' : Buffer.from(r.value.value).toString());
      if (r.done) break;
    }
    return out.join(',');
  }
}

describe('embedded ledger', () => {
  let dir: string;
  let ledger: EmbeddedLedger;
  // integrityCheckBlocks 0: the tamper tests reopen a tampered ledger to run the full check on it
  // (open would refuse it; integrity.test.ts covers that).
  const open = (check = true): Promise<EmbeddedLedger> =>
    EmbeddedLedger.open({
      path: join(dir, 'ledger'),
      contracts: [CounterContract],
      ...(check ? {} : { integrityCheckBlocks: 0 }),
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-ledger-'));
    gate = Promise.resolve();
    ledger = await open();
  });

  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a submit into a hash-chained block and answers queries from committed state', async () => {
    const first = await ledger.submit(alice, 'counter:Add', ['a', '2']);
    const second = await ledger.submit(alice, 'counter:Add', ['a', '3']);
    expect(first.result).to.equal('2');
    expect(second.result).to.equal('5');
    expect(second.blockNumber).to.equal(first.blockNumber + 1);
    const block1 = await ledger.getBlock(second.blockNumber);
    const block0 = await ledger.getBlock(first.blockNumber);
    expect(block1?.header.previousHash).to.have.length(64).and.not.equal('0'.repeat(64));
    expect(block0?.header.previousHash).to.equal('0'.repeat(64));
    expect(await ledger.evaluate(alice, 'counter:List', [])).to.equal('a=5');
    expect(await ledger.locateTransaction(second.txId)).to.deep.equal({
      txId: second.txId,
      blockNumber: second.blockNumber,
      validationCode: 'VALID',
    });
  });

  it('rejects an unknown transaction and writes nothing', async () => {
    const err = await ledger.submit(alice, 'counter:Nope', []).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DomainError).with.property('code', 'INVALID_ARGUMENT');
    expect(ledger.blockHeight).to.equal(0);
  });

  it('a chaincode error after putState leaves state and chain untouched', async () => {
    await ledger.submit(alice, 'counter:Add', ['a', '1']);
    const err = await ledger.submit(alice, 'counter:Fail', ['a']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DomainError).with.property('code', 'INVALID_STATE');
    expect(ledger.blockHeight).to.equal(1);
    expect(await ledger.evaluate(alice, 'counter:List', [])).to.equal('a=1');
  });

  it('evaluate never writes', async () => {
    expect(await ledger.evaluate(alice, 'counter:Add', ['a', '4'])).to.equal('4');
    expect(ledger.blockHeight).to.equal(0);
    expect(await ledger.evaluate(alice, 'counter:List', [])).to.equal('');
  });

  it('invalidates the second of two transactions that read the same version (MVCC)', async () => {
    let release = (): void => undefined;
    gate = new Promise<void>((r) => (release = r));
    const one = ledger.submit(alice, 'counter:Add', ['a', '1']);
    const two = ledger.submit(alice, 'counter:Add', ['a', '10']);
    setTimeout(release, 20);
    const results = await Promise.allSettled([one, two]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).to.have.length(1);
    expect(rejected).to.have.length(1);
    expect(rejected[0]?.reason).to.be.instanceOf(DomainError).with.property('code', 'MVCC_READ_CONFLICT');
    gate = Promise.resolve();
    const list = await ledger.evaluate(alice, 'counter:List', []);
    expect(['a=1', 'a=10']).to.include(list);
    // The invalid transaction is still recorded in its block, marked invalid, as on Fabric.
    const block = await ledger.getBlock(0);
    const codes = block?.data.transactions.map((t) => t.validationCode).sort();
    expect(codes).to.deep.equal(['MVCC_READ_CONFLICT', 'VALID']);
    expect((await ledger.verifyChain()).ok).to.equal(true);
  });

  it('never validates a stale read: under contention the counter equals the number of committed adds', async () => {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => ledger.submit(alice, 'counter:Add', ['hot', '1'])),
      );
      expect(results.filter((r) => r.status === 'fulfilled').length).to.be.greaterThan(0);
    }
    const blocks = ledger.blockHeight;
    let committed = 0;
    for (let n = 0; n < blocks; n++) {
      committed +=
        (await ledger.getBlock(n))?.data.transactions.filter((t) => t.validationCode === 'VALID').length ?? 0;
    }
    expect(await ledger.evaluate(alice, 'counter:List', [])).to.equal(`hot=${committed}`);
    expect((await ledger.verifyChain()).ok).to.equal(true);
  });

  it('invalidates a range read that a concurrent insert turned into a phantom', async () => {
    await ledger.submit(alice, 'counter:Add', ['a', '1']);
    let release = (): void => undefined;
    gate = new Promise<void>((r) => (release = r));
    const count = ledger.submit(alice, 'counter:CountInto', ['t']);
    gate = Promise.resolve();
    const insert = ledger.submit(alice, 'counter:Add', ['b', '1']);
    await insert;
    release();
    const err = await count.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DomainError).with.property('code', 'MVCC_READ_CONFLICT');
  });

  it('keeps key history newest first, including deletes', async () => {
    await ledger.submit(alice, 'counter:Add', ['h', '1']);
    await ledger.submit(alice, 'counter:Add', ['h', '1']);
    await ledger.submit(alice, 'counter:Remove', ['h']);
    await ledger.submit(alice, 'counter:Add', ['h', '7']);
    expect(await ledger.evaluate(alice, 'counter:History', ['h'])).to.equal('7,deleted,2,1');
  });

  it('pages through a composite-key range with bookmarks', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await ledger.submit(alice, 'counter:Add', [name, '1']);
    const p1 = JSON.parse(await ledger.evaluate(alice, 'counter:Page', ['2', ''])) as {
      keys: string[];
      bookmark: string;
    };
    const p2 = JSON.parse(await ledger.evaluate(alice, 'counter:Page', ['2', p1.bookmark])) as typeof p1;
    const p3 = JSON.parse(await ledger.evaluate(alice, 'counter:Page', ['2', p2.bookmark])) as typeof p1;
    expect([p1.keys, p2.keys, p3.keys]).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]);
    expect(p3.bookmark).to.equal('');
  });

  it('answers repeated range reads from committed state after every insert, update and delete', async () => {
    // The state store caches small ranges; each commit that touches a range must show in it.
    const list = (): Promise<string> => ledger.evaluate(alice, 'counter:List', []);
    await ledger.submit(alice, 'counter:Add', ['a', '1']);
    expect(await list()).to.equal('a=1');
    expect(await list()).to.equal('a=1');
    await ledger.submit(alice, 'counter:Add', ['b', '1']);
    expect(await list()).to.equal('a=1,b=1');
    await ledger.submit(alice, 'counter:Add', ['a', '4']);
    expect(await list()).to.equal('a=5,b=1');
    await ledger.submit(alice, 'counter:Remove', ['a']);
    expect(await list()).to.equal('b=1');
    // A write outside the range (the `total` keys) leaves the answer as it was.
    await ledger.submit(alice, 'counter:CountInto', ['t']);
    expect(await list()).to.equal('b=1');
    await ledger.close();
    ledger = await open();
    expect(await list()).to.equal('b=1');
  });

  it('finds every key written before a restart once the key filter is filled from disk', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `k${i}`);
    for (const name of names) await ledger.submit(alice, 'counter:Add', [name, '2']);
    await ledger.close();
    ledger = await open();
    expect(await ledger.keyFilterReady()).to.equal(true);
    for (const name of names) {
      expect((await ledger.submit(alice, 'counter:Add', [name, '1'])).result, name).to.equal('3');
    }
    // Keys never written read as absent, and once written they are found.
    expect((await ledger.submit(alice, 'counter:Add', ['fresh', '1'])).result).to.equal('1');
    expect((await ledger.submit(alice, 'counter:Add', ['fresh', '1'])).result).to.equal('2');
  });

  it('delivers one event per committed transaction, and replays them from a block', async () => {
    const seen: unknown[] = [];
    const stop = ledger.onEvent((e) => seen.push(e.payload));
    await ledger.submit(alice, 'counter:Add', ['e', '1']);
    await ledger.submit(alice, 'counter:Add', ['e', '2']);
    stop();
    await ledger.submit(alice, 'counter:Add', ['e', '3']);
    expect(seen).to.deep.equal([
      { name: 'e', next: 1 },
      { name: 'e', next: 3 },
    ]);
    const replay = await ledger.eventsFrom(1);
    expect(replay.map((e) => e.payload)).to.deep.equal([
      { name: 'e', next: 3 },
      { name: 'e', next: 6 },
    ]);
  });

  it('survives a restart with the same chain and state', async () => {
    await ledger.submit(alice, 'counter:Add', ['r', '5']);
    const before = await ledger.verifyChain();
    await ledger.close();
    ledger = await open();
    const after = await ledger.verifyChain();
    expect(after).to.deep.include({ ok: true, height: before.height, lastHash: before.lastHash });
    expect((await ledger.submit(alice, 'counter:Add', ['r', '1'])).result).to.equal('6');
    expect(ledger.blockHeight).to.equal(before.height + 1);
  });

  describe('tamper detection', () => {
    async function tamper(edit: (db: ClassicLevel<string, string>) => Promise<void>): Promise<string[]> {
      await ledger.submit(alice, 'counter:Add', ['x', '1']);
      await ledger.submit(alice, 'counter:Add', ['y', '2']);
      expect((await ledger.verifyChain()).ok).to.equal(true);
      await ledger.close();
      const db = new ClassicLevel<string, string>(join(dir, 'ledger'), {
        keyEncoding: 'utf8',
        valueEncoding: 'utf8',
      });
      await edit(db);
      await db.close();
      ledger = await open(false);
      const check = await ledger.verifyChain();
      expect(check.ok).to.equal(false);
      return check.problems;
    }

    async function flipOneByte(
      db: ClassicLevel<string, string>,
      sublevel: string,
      match: (v: string) => boolean,
    ): Promise<void> {
      const sub = db.sublevel<string, string>(sublevel, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      for await (const [k, v] of sub.iterator()) {
        if (!match(v)) continue;
        const i = v.indexOf('"v":"') + 6;
        const changed = v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1);
        await sub.put(k, changed);
        return;
      }
      throw new Error(`nothing to tamper with in ${sublevel}`);
    }

    it('verifies a ledger larger than its memory budget in buckets, and still finds every edit', async () => {
      for (let i = 0; i < 30; i++) await ledger.submit(alice, 'counter:Add', [`k${i % 12}`, '1']);
      const whole = await ledger.verifyChain();
      const bucketed = await ledger.verifyChain({ maxEntriesInMemory: 8 });
      expect(whole.ok && bucketed.ok).to.equal(true);
      expect([bucketed.height, bucketed.checkedTransactions, bucketed.checkedKeys]).to.deep.equal([
        whole.height,
        whole.checkedTransactions,
        whole.checkedKeys,
      ]);
      await ledger.close();
      const db = new ClassicLevel<string, string>(join(dir, 'ledger'), {
        keyEncoding: 'utf8',
        valueEncoding: 'utf8',
      });
      await flipOneByte(db, 's', () => true);
      await flipOneByte(db, 'h', () => true);
      const state = db.sublevel<string, string>('s', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      let last = '';
      for await (const k of state.keys()) last = k;
      await state.del(last);
      await db.close();
      ledger = await open(false);
      const text = (await ledger.verifyChain({ maxEntriesInMemory: 8 })).problems.join('\n');
      expect(text).to.match(/state: altered entry/);
      expect(text).to.match(/history: altered entry/);
      expect(text).to.match(/state: missing entry/);
    });

    it('detects an altered state value', async () => {
      const problems = await tamper((db) => flipOneByte(db, 's', () => true));
      expect(problems.join('\n')).to.match(/state: altered entry/);
    });

    it('detects an altered byte in a stored block', async () => {
      const problems = await tamper(async (db) => {
        const blocks = db.sublevel<string, string>('b', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
        const raw = await blocks.get('000000000000');
        if (!raw) throw new Error('no block 0');
        await blocks.put('000000000000', raw.replace('"fn":"counter:Add"', '"fn":"counter:Adx"'));
      });
      expect(problems.join('\n')).to.match(/block 0: data hash mismatch/);
    });

    it('detects a rewritten history entry and a deleted state key', async () => {
      const problems = await tamper(async (db) => {
        await flipOneByte(db, 'h', () => true);
        const state = db.sublevel<string, string>('s', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
        for await (const k of state.keys({ limit: 1 })) await state.del(k);
      });
      const text = problems.join('\n');
      expect(text).to.match(/history: altered entry/);
      expect(text).to.match(/state: missing entry/);
    });

    it('detects a block whose header was recomputed to hide an edit (the chain link breaks)', async () => {
      const problems = await tamper(async (db) => {
        const blocks = db.sublevel<string, string>('b', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
        const { createHash } = await import('node:crypto');
        const { canonicalJson } = await import('@edu-ledger/domain');
        const raw = await blocks.get('000000000000');
        if (!raw) throw new Error('no block 0');
        const block = JSON.parse(raw) as {
          header: { dataHash: string };
          data: { transactions: { response: string }[] };
        };
        const tx = block.data.transactions[0];
        if (!tx) throw new Error('empty block');
        tx.response = '1000';
        block.header.dataHash = createHash('sha256').update(canonicalJson(block.data)).digest('hex');
        await blocks.put('000000000000', canonicalJson(block));
      });
      expect(problems.join('\n')).to.match(/block 1: previous-hash link broken/);
    });
  });
});
