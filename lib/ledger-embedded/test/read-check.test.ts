import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import fabricContractApi from 'fabric-contract-api';
import { Context, Transaction } from '@edu-ledger/chaincode';
import { canonicalJson } from '@edu-ledger/domain';
import { EmbeddedLedger, RecordIntegrityError, x509Identity, type Block } from '../src/index.js';
import { headerHash, sha256 } from '../src/embedded/block.js';
import { createCompositeKey } from '../src/embedded/composite-key.js';
import { DEFAULT_CHECK_BLOCKS } from '../src/embedded/integrity-check.js';
import { RANGE_CHECK_LIMIT } from '../src/embedded/simulator.js';

const { Contract } = fabricContractApi;
const clerk = x509Identity('Org1MSP', 'clerk');
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;

const recordKey = (id: string): string => createCompositeKey('rec', [id]);
const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Records under one object type (`rec`), point and range reads of them, and filler writes. */
class RecordContract extends Contract {
  constructor() {
    super('records');
  }

  @Transaction()
  async Put(ctx: Context, id: string, value: string): Promise<string> {
    await ctx.stub.putState(recordKey(id), Buffer.from(value));
    return 'ok';
  }

  /** Two records in one transaction, so one block vouches for both. */
  @Transaction()
  async PutTwo(ctx: Context, first: string, second: string): Promise<string> {
    await ctx.stub.putState(recordKey(first), Buffer.from(`${first}-value`));
    await ctx.stub.putState(recordKey(second), Buffer.from(`${second}-value`));
    return 'ok';
  }

  @Transaction()
  async Fill(ctx: Context, id: string): Promise<string> {
    await ctx.stub.putState(ctx.stub.createCompositeKey('filler', [id]), Buffer.from(id));
    return 'ok';
  }

  @Transaction(false)
  async GetFiller(ctx: Context, id: string): Promise<string> {
    return Buffer.from(await ctx.stub.getState(ctx.stub.createCompositeKey('filler', [id]))).toString();
  }

  /** A write that depends on a read: the read is what a tampered row would corrupt. */
  @Transaction()
  async Copy(ctx: Context, from: string, to: string): Promise<string> {
    const value = await ctx.stub.getState(recordKey(from));
    await ctx.stub.putState(recordKey(to), value);
    return 'ok';
  }

  @Transaction(false)
  async Get(ctx: Context, id: string): Promise<string> {
    return Buffer.from(await ctx.stub.getState(recordKey(id))).toString();
  }

  @Transaction(false)
  async List(ctx: Context, objectType: string): Promise<string> {
    const it = await ctx.stub.getStateByPartialCompositeKey(objectType, []);
    const out: string[] = [];
    for (let r = await it.next(); r.value; r = await it.next())
      out.push(Buffer.from(r.value.value).toString());
    return out.join(',');
  }

  @Transaction(false)
  async Page(ctx: Context, size: string): Promise<string> {
    const { iterator } = await ctx.stub.getStateByPartialCompositeKeyWithPagination('rec', [], Number(size));
    const out: string[] = [];
    for (let r = await iterator.next(); r.value; r = await iterator.next())
      out.push(Buffer.from(r.value.value).toString());
    return out.join(',');
  }
}

const open = (path: string): Promise<EmbeddedLedger> =>
  EmbeddedLedger.open({ path, contracts: [RecordContract] });

/** Runs `change` on the closed ledger's LevelDB, as someone with access to its files would. */
async function edit(
  path: string,
  change: (db: ClassicLevel<string, string>) => Promise<void>,
): Promise<void> {
  const db = new ClassicLevel<string, string>(path, UTF8);
  await db.open();
  await change(db);
  await db.close();
}

interface Row {
  b: number;
  t: number;
  v: string;
}

/** Rewrites a record's stored state row; by default only its value, keeping its version. */
function editRow(path: string, id: string, change: (row: Row) => Row): Promise<void> {
  return edit(path, async (db) => {
    const state = db.sublevel<string, string>('s', UTF8);
    const row = JSON.parse((await state.get(recordKey(id))) ?? 'null') as Row;
    await state.put(recordKey(id), JSON.stringify(change(row)));
  });
}

async function refusal(read: Promise<unknown>): Promise<RecordIntegrityError> {
  try {
    await read;
  } catch (error) {
    if (error instanceof RecordIntegrityError) return error;
    throw error;
  }
  throw new Error('the read was served');
}

describe('embedded ledger: records read back are checked against the blocks that wrote them', function () {
  this.timeout(60_000);
  let pristine: string;
  let dir: string;
  let path: string;
  /** Where the records were written: block numbers, for the assertions. */
  const blockOf: Record<string, number> = {};

  before(async () => {
    pristine = mkdtempSync(join(tmpdir(), 'edu-readcheck-pristine-'));
    const ledger = await open(pristine);
    for (const [id, value] of [
      ['a', 'alpha'],
      ['b', 'beta'],
      ['c', 'gamma'],
    ] as const) {
      blockOf[id] = (await ledger.submit(clerk, 'records:Put', [id, value])).blockNumber;
    }
    blockOf['pair'] = (await ledger.submit(clerk, 'records:PutTwo', ['p', 'q'])).blockNumber;
    blockOf['r'] = (await ledger.submit(clerk, 'records:Put', ['r', 'issued'])).blockNumber;
    await ledger.submit(clerk, 'records:Put', ['r', 'revoked']);
    // Enough newer blocks that the records lie beyond what the open-time check re-verifies: that
    // check alone would let the edits below through.
    for (let i = 0; i < DEFAULT_CHECK_BLOCKS + 2; i++) {
      await ledger.submit(clerk, 'records:Fill', [String(i).padStart(3, '0')]);
    }
    await ledger.close();
  });
  after(() => rmSync(pristine, { recursive: true, force: true }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edu-readcheck-'));
    path = join(dir, 'ledger');
    cpSync(pristine, path, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a point read of a row whose value was edited in the database, and serves the others', async () => {
    await editRow(path, 'a', (row) => ({ ...row, v: b64('forged') }));
    // The open-time check covers only the newest blocks: it lets this ledger open.
    const ledger = await open(path);
    try {
      const error = await refusal(ledger.evaluate(clerk, 'records:Get', ['a']));
      expect(error).to.include({
        code: 'LEDGER_UNAVAILABLE',
        namespace: 'rec',
        key: recordKey('a'),
        blockNumber: blockOf['a'],
        txNumber: 0,
        reason: 'value-differs',
      });
      expect(error.message).to.match(/^LEDGER_UNAVAILABLE: .*integrity check: rec written in block 0/);
      for (const value of ['forged', b64('forged'), 'alpha', b64('alpha')])
        expect(error.message).not.to.include(value);
      expect(await ledger.evaluate(clerk, 'records:Get', ['b'])).to.equal('beta');
      expect(await ledger.evaluate(clerk, 'records:Get', ['absent'])).to.equal('');
      // Refused again: a failed check leaves nothing behind that a later read could pass on.
      expect((await refusal(ledger.evaluate(clerk, 'records:Get', ['a']))).reason).to.equal('value-differs');
    } finally {
      await ledger.close();
    }
  });

  it('refuses a range read, paged or not, that returns an edited row, and serves other ranges', async () => {
    await editRow(path, 'b', (row) => ({ ...row, v: b64('forged') }));
    const ledger = await open(path);
    try {
      const scanned = await refusal(ledger.evaluate(clerk, 'records:List', ['rec']));
      expect(scanned).to.include({ namespace: 'rec', blockNumber: blockOf['b'], reason: 'value-differs' });
      expect((await refusal(ledger.evaluate(clerk, 'records:Page', ['10']))).blockNumber).to.equal(
        blockOf['b'],
      );
      // A page that ends before the edited row is served.
      expect(await ledger.evaluate(clerk, 'records:Page', ['1'])).to.equal('alpha');
      expect((await ledger.evaluate(clerk, 'records:List', ['filler'])).split(',')).to.have.length(
        DEFAULT_CHECK_BLOCKS + 2,
      );
    } finally {
      await ledger.close();
    }
  });

  it('refuses the one edited block among many read at once; leaves a long listing to the chain check', async () => {
    const fillerKey = (i: number): string => createCompositeKey('filler', [String(i).padStart(3, '0')]);
    const edited = 40;
    await edit(path, async (db) => {
      // The block's write and the row agree; the block's data no longer hashes to its header's.
      const state = db.sublevel<string, string>('s', UTF8);
      const row = JSON.parse((await state.get(fillerKey(edited))) ?? 'null') as Row;
      await state.put(fillerKey(edited), JSON.stringify({ ...row, v: b64('forged') }));
      const blocks = db.sublevel<string, string>('b', UTF8);
      const key = String(row.b).padStart(12, '0');
      const block = JSON.parse((await blocks.get(key)) ?? 'null') as Block;
      const write = block.data.transactions[0]?.rwset.writes[0];
      if (write) write.value = b64('forged');
      await blocks.put(key, canonicalJson(block));
    });
    // Opened with the open-time check cut to the newest block: the edited block is a recent one.
    const openLimited = (): Promise<EmbeddedLedger> =>
      EmbeddedLedger.open({ path, contracts: [RecordContract], integrityCheckBlocks: 1 });
    let ledger = await openLimited();
    try {
      // A listing of more than RANGE_CHECK_LIMIT rows is not checked row by row (each row sits in
      // another block): it is served, and the chain check is what finds the edited block.
      expect(DEFAULT_CHECK_BLOCKS + 2).to.be.above(RANGE_CHECK_LIMIT);
      expect(await ledger.evaluate(clerk, 'records:List', ['filler'])).to.include('forged');
      expect((await ledger.verifyChain()).ok).to.equal(false);
      expect(await ledger.evaluate(clerk, 'records:Get', ['c'])).to.equal('gamma');
    } finally {
      await ledger.close();
    }
    ledger = await openLimited();
    try {
      // Every filler at once, as concurrent requests would: only the edited one is refused.
      const ids = Array.from({ length: DEFAULT_CHECK_BLOCKS + 2 }, (_, i) => String(i).padStart(3, '0'));
      const reads = await Promise.allSettled(
        ids.map((id) => ledger.evaluate(clerk, 'records:GetFiller', [id])),
      );
      for (const [i, read] of reads.entries()) {
        if (i !== edited) expect(read).to.deep.equal({ status: 'fulfilled', value: ids[i] });
        else if (read.status === 'fulfilled') expect.fail('the edited filler was served');
        else
          expect(read.reason).to.be.instanceOf(RecordIntegrityError).and.include({ reason: 'block-unsound' });
      }
    } finally {
      await ledger.close();
    }
  });

  it('refuses an edited row even when its block is already known to be sound', async () => {
    await editRow(path, 'p', (row) => ({ ...row, v: b64('forged') }));
    const ledger = await open(path);
    try {
      // q was written by the same transaction: reading it first finds the block sound and keeps it.
      expect(await ledger.evaluate(clerk, 'records:Get', ['q'])).to.equal('q-value');
      const error = await refusal(ledger.evaluate(clerk, 'records:Get', ['p']));
      expect(error).to.include({ blockNumber: blockOf['pair'], reason: 'value-differs' });
    } finally {
      await ledger.close();
    }
  });

  it('refuses rows whose version names a block that is not there or did not write them', async () => {
    await editRow(path, 'a', (row) => ({ ...row, b: 9_999 }));
    await editRow(path, 'c', (row) => ({ ...row, b: blockOf['b'] ?? -1 }));
    const ledger = await open(path);
    try {
      expect(await refusal(ledger.evaluate(clerk, 'records:Get', ['a']))).to.include({
        blockNumber: 9_999,
        reason: 'block-missing',
      });
      expect(await refusal(ledger.evaluate(clerk, 'records:Get', ['c']))).to.include({
        blockNumber: blockOf['b'],
        reason: 'no-such-write',
      });
    } finally {
      await ledger.close();
    }
  });

  it('refuses a row whose block was edited to agree with it, however far the edit goes', async () => {
    const number = blockOf['a'] ?? 0;
    const blockKey = (n: number): string => String(n).padStart(12, '0');
    /** Rewrites a stored block through `change`, returning its header hash afterwards. */
    async function rewrite(db: ClassicLevel<string, string>, n: number, change: (b: Block) => void) {
      const blocks = db.sublevel<string, string>('b', UTF8);
      const block = JSON.parse((await blocks.get(blockKey(n))) ?? 'null') as Block;
      change(block);
      await blocks.put(blockKey(n), canonicalJson(block));
      return headerHash(block.header);
    }
    const forgeWrite = (block: Block): void => {
      const write = block.data.transactions[0]?.rwset.writes[0];
      if (write) write.value = b64('forged');
    };
    const readA = async (): Promise<RecordIntegrityError> => {
      const ledger = await open(path);
      try {
        return await refusal(ledger.evaluate(clerk, 'records:Get', ['a']));
      } finally {
        await ledger.close();
      }
    };
    await editRow(path, 'a', (row) => ({ ...row, v: b64('forged') }));

    // 1. The block's write agrees with the row, but the block's data no longer has its data hash.
    await edit(path, async (db) => void (await rewrite(db, number, forgeWrite)));
    expect(await readA()).to.include({ blockNumber: number, reason: 'block-unsound' });

    // 2. The data hash is recomputed too: the next block still records the old header hash.
    await edit(path, async (db) => {
      await rewrite(db, number, (b) => (b.header.dataHash = sha256(canonicalJson(b.data))));
    });
    expect(await readA()).to.include({ reason: 'block-unsound' });

    // 3. And the next block's link with it: the block's node-key signature no longer verifies.
    await edit(path, async (db) => {
      const hash = await rewrite(db, number, () => undefined);
      await rewrite(db, number + 1, (b) => (b.header.previousHash = hash));
    });
    expect(await readA()).to.include({ reason: 'block-unsound' });
  });

  it('follows the links up to a signed block for blocks from before the ledger had a node key', async () => {
    const number = blockOf['a'] ?? 0;
    const blockKey = (n: number): string => String(n).padStart(12, '0');
    const unsignedBelow = (blockOf['pair'] ?? 0) + 1;
    await edit(path, async (db) => {
      // A ledger older than its node key: the first blocks carry no signature.
      const meta = db.sublevel<string, string>('m', UTF8);
      const key = JSON.parse((await meta.get('nodeKey')) ?? 'null') as { publicKey: string };
      await meta.put('nodeKey', JSON.stringify({ ...key, since: unsignedBelow }));
      const blocks = db.sublevel<string, string>('b', UTF8);
      for (let n = 0; n < unsignedBelow; n++) {
        const block = JSON.parse((await blocks.get(blockKey(n))) ?? 'null') as Block;
        delete block.signature;
        await blocks.put(blockKey(n), canonicalJson(block));
      }
    });
    let ledger = await open(path);
    expect(await ledger.evaluate(clerk, 'records:Get', ['a'])).to.equal('alpha');
    await ledger.close();

    // The row, its block (data hash and header) and the next block's link are all made to agree.
    await editRow(path, 'a', (row) => ({ ...row, v: b64('forged') }));
    await edit(path, async (db) => {
      const blocks = db.sublevel<string, string>('b', UTF8);
      const block = JSON.parse((await blocks.get(blockKey(number))) ?? 'null') as Block;
      const write = block.data.transactions[0]?.rwset.writes[0];
      if (write) write.value = b64('forged');
      block.header.dataHash = sha256(canonicalJson(block.data));
      await blocks.put(blockKey(number), canonicalJson(block));
      const next = JSON.parse((await blocks.get(blockKey(number + 1))) ?? 'null') as Block;
      next.header.previousHash = headerHash(block.header);
      await blocks.put(blockKey(number + 1), canonicalJson(next));
    });
    ledger = await open(path);
    try {
      // The block after the next one still links to the next block's old hash.
      expect(await refusal(ledger.evaluate(clerk, 'records:Get', ['a']))).to.include({
        blockNumber: number,
        reason: 'block-unsound',
      });
      // Block 1, whose previous hash was edited, is refused too; block 2 links up to block 4, signed.
      expect((await refusal(ledger.evaluate(clerk, 'records:Get', ['b']))).reason).to.equal('block-unsound');
      expect(await ledger.evaluate(clerk, 'records:Get', ['c'])).to.equal('gamma');
    } finally {
      await ledger.close();
    }
  });

  it('refuses a submit that reads an edited row, and commits nothing', async () => {
    await editRow(path, 'a', (row) => ({ ...row, v: b64('forged') }));
    const ledger = await open(path);
    try {
      const height = await ledger.height();
      const error = await refusal(ledger.submit(clerk, 'records:Copy', ['a', 'copy']));
      expect(error).to.include({ blockNumber: blockOf['a'], reason: 'value-differs' });
      expect(await ledger.height()).to.equal(height);
      await ledger.submit(clerk, 'records:Copy', ['b', 'copy']);
      expect(await ledger.evaluate(clerk, 'records:Get', ['copy'])).to.equal('beta');
    } finally {
      await ledger.close();
    }
  });

  it('does not see a row put back to an earlier write of the same key; the full chain check does', async () => {
    // What a read check cannot know: whether the block it names was the key's last write.
    await editRow(path, 'r', () => ({ b: blockOf['r'] ?? -1, t: 0, v: b64('issued') }));
    const reopened = await open(path);
    try {
      expect(await reopened.evaluate(clerk, 'records:Get', ['r'])).to.equal('issued');
      expect((await reopened.verifyChain()).problems.join('\n')).to.match(/state: altered entry .*rec/);
    } finally {
      await reopened.close();
    }
  });
});
