import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fabricContractApi from 'fabric-contract-api';
import { Context, Transaction } from '@edu-ledger/chaincode';
import { DomainError } from '@edu-ledger/domain';
import { EmbeddedLedger, x509Identity } from '../src/index.js';

const { Contract } = fabricContractApi;
const alice = x509Identity('Org1MSP', 'alice');

/** The names (first attribute) of the composite keys an iterator yields. */
async function keysOf(iterator: { next(): Promise<{ value?: { key: string }; done?: boolean }> }) {
  const keys: string[] = [];
  for (;;) {
    const r = await iterator.next();
    if (r.value) keys.push(r.value.key.split('\u0000')[2] ?? '');
    if (r.done) return keys;
  }
}

/** Transactions that do what a peer allows or refuses: writes, pages, ranges. */
class RulesContract extends Contract {
  constructor() {
    super('rules');
  }

  @Transaction()
  async Put(ctx: Context, type: string, name: string): Promise<string> {
    await ctx.stub.putState(ctx.stub.createCompositeKey(type, [name]), Buffer.from('1'));
    return name;
  }

  @Transaction(false)
  async Page(ctx: Context, type: string, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      type,
      [],
      100,
      bookmark,
    );
    return JSON.stringify({ keys: await keysOf(iterator), bookmark: metadata.bookmark });
  }

  /** Submitted, it pages: a peer refuses the paginated query in a transaction that may write. */
  @Transaction()
  async PageInSubmit(ctx: Context, type: string): Promise<string> {
    const { iterator } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(type, [], 10, '');
    return JSON.stringify(await keysOf(iterator));
  }

  @Transaction(false)
  async WriteThenPage(ctx: Context, type: string): Promise<string> {
    await ctx.stub.putState(ctx.stub.createCompositeKey(type, ['w']), Buffer.from('1'));
    await ctx.stub.getStateByPartialCompositeKeyWithPagination(type, [], 10, '');
    return 'paged';
  }

  @Transaction(false)
  async PageThenWrite(ctx: Context, type: string): Promise<string> {
    await ctx.stub.getStateByPartialCompositeKeyWithPagination(type, [], 10, '');
    await ctx.stub.putState(ctx.stub.createCompositeKey(type, ['w']), Buffer.from('1'));
    return 'wrote';
  }

  @Transaction(false)
  async Range(ctx: Context, type: string): Promise<string> {
    return JSON.stringify(await keysOf(await ctx.stub.getStateByPartialCompositeKey(type, [])));
  }

  @Transaction(false)
  async Subject(ctx: Context): Promise<string> {
    return new X509Certificate(ctx.clientIdentity.getIDBytes()).subject;
  }
}

describe('embedded ledger: what a Fabric peer refuses or limits', () => {
  let dir: string;
  let ledger: EmbeddedLedger;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-rules-'));
    ledger = await EmbeddedLedger.open({
      path: join(dir, 'ledger'),
      contracts: [RulesContract],
      totalQueryLimit: 3,
    });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await ledger.submit(alice, 'rules:Put', ['item', name]);
    await ledger.submit(alice, 'rules:Put', ['other', 'z']);
  });
  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refusal = (attempt: Promise<unknown>): Promise<unknown> =>
    attempt.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('refuses a paginated query in a submitted transaction, and writes nothing', async () => {
    const height = ledger.blockHeight;
    const error = await refusal(ledger.submit(alice, 'rules:PageInSubmit', ['item']));
    expect(error).to.be.instanceOf(DomainError).with.property('code', 'INTERNAL');
    expect((error as DomainError).message).to.match(/read-only transaction/);
    expect(ledger.blockHeight).to.equal(height);
    expect(await ledger.evaluate(alice, 'rules:PageInSubmit', ['item'])).to.equal('["a","b","c"]');
  });

  it('refuses a paginated query after a write, and a write after a paginated query', async () => {
    expect(await refusal(ledger.evaluate(alice, 'rules:WriteThenPage', ['item']))).to.be.instanceOf(
      DomainError,
    );
    const error = await refusal(ledger.evaluate(alice, 'rules:PageThenWrite', ['item']));
    expect(error)
      .to.be.instanceOf(DomainError)
      .with.property('message')
      .that.matches(/after a paginated query/);
  });

  it('refuses a bookmark outside the queried range instead of starting the range there', async () => {
    const otherKey = '\u0000other\u0000z\u0000';
    const beforeRange = '\u0000abc\u0000';
    for (const bookmark of [otherKey, beforeRange]) {
      const error = await refusal(ledger.evaluate(alice, 'rules:Page', ['item', bookmark]));
      expect(error, JSON.stringify(bookmark))
        .to.be.instanceOf(DomainError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
  });

  it('cuts a range at totalQueryLimit, and pages by the smaller of page size and the limit', async () => {
    expect(JSON.parse(await ledger.evaluate(alice, 'rules:Range', ['item']))).to.deep.equal(['a', 'b', 'c']);
    const first = JSON.parse(await ledger.evaluate(alice, 'rules:Page', ['item', ''])) as {
      keys: string[];
      bookmark: string;
    };
    expect(first.keys).to.deep.equal(['a', 'b', 'c']);
    const second = JSON.parse(
      await ledger.evaluate(alice, 'rules:Page', ['item', first.bookmark]),
    ) as typeof first;
    expect(second).to.deep.equal({ keys: ['d', 'e'], bookmark: '' });
  });

  it('refuses arguments that do not match the declared parameters, as fabric-shim does', async () => {
    const error = await refusal(ledger.submit(alice, 'rules:Put', ['item']));
    expect(error).to.be.instanceOf(DomainError).with.property('code', 'INVALID_ARGUMENT');
    expect((error as DomainError).message).to.match(/expected 2 parameters, but 1 have been supplied/);
  });

  it('hands the chaincode the caller’s certificate', async () => {
    expect(await ledger.evaluate(alice, 'rules:Subject', [])).to.equal('OU=client\nCN=alice');
  });
});
