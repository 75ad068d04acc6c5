import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import fabricContractApi from 'fabric-contract-api';
import { Context, Transaction } from '@edu-ledger/chaincode';
import {
  EmbeddedLedger,
  LedgerIntegrityError,
  RecordIntegrityError,
  verifyHeadSignature,
  x509Identity,
  type SignedHead,
} from '../src/index.js';

const { Contract } = fabricContractApi;
const registrar = x509Identity('Org1MSP', 'registrar');
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;

/** Credentials reduced to what the attack needs: issued, then revoked. */
class StatusContract extends Contract {
  constructor() {
    super('status');
  }

  @Transaction()
  async Issue(ctx: Context, id: string): Promise<string> {
    await ctx.stub.putState(ctx.stub.createCompositeKey('cred', [id]), Buffer.from('active'));
    return 'ok';
  }

  @Transaction()
  async Revoke(ctx: Context, id: string): Promise<string> {
    await ctx.stub.putState(ctx.stub.createCompositeKey('cred', [id]), Buffer.from('revoked'));
    return 'ok';
  }

  @Transaction(false)
  async Status(ctx: Context, id: string): Promise<string> {
    return Buffer.from(await ctx.stub.getState(ctx.stub.createCompositeKey('cred', [id]))).toString();
  }
}

const open = (path: string, check = true): Promise<EmbeddedLedger> =>
  EmbeddedLedger.open({ path, contracts: [StatusContract], ...(check ? {} : { integrityCheckBlocks: 0 }) });

async function run(ledger: EmbeddedLedger, steps: readonly (readonly [string, string])[]): Promise<void> {
  for (const [fn, id] of steps) await ledger.submit(registrar, `status:${fn}`, [id]);
}

/** Runs `edit` on the closed ledger's LevelDB, as an attacker with file access would. */
async function edit(
  path: string,
  change: (db: ClassicLevel<string, string>) => Promise<void>,
): Promise<void> {
  const db = new ClassicLevel<string, string>(path, UTF8);
  await db.open();
  await change(db);
  await db.close();
}

async function refusal(path: string): Promise<LedgerIntegrityError> {
  try {
    const ledger = await open(path);
    await ledger.close();
  } catch (error) {
    if (error instanceof LedgerIntegrityError) return error;
    throw error;
  }
  throw new Error('open accepted a tampered ledger');
}

describe('embedded ledger: integrity at open and signed heads', () => {
  let dir: string;
  let path: string;
  const history = [
    ['Issue', 'a'],
    ['Issue', 'b'],
    ['Revoke', 'a'],
    ['Issue', 'c'],
  ] as const;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-integrity-'));
    path = join(dir, 'ledger');
    const ledger = await open(path);
    await run(ledger, history);
    await ledger.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a clean ledger, with a private node key and a signed head that verifies', async () => {
    const ledger = await open(path);
    const head = ledger.signedHead();
    expect(head.height).to.equal(4);
    expect(verifyHeadSignature(head)).to.equal(true);
    expect((await ledger.verifyChain()).problems).to.deep.equal([]);
    expect((await ledger.verifyAgainstHead(head)).ok).to.equal(true);
    await ledger.close();
    expect(statSync(join(path, 'node-key.pem')).mode & 0o777).to.equal(0o600);
  });

  it('refuses a ledger whose last block LevelDB dropped', async () => {
    await edit(path, (db) => db.sublevel<string, string>('b', UTF8).del('000000000003'));
    const error = await refusal(path);
    expect(error.problems.join('\n')).to.match(/tip says 4 block\(s\) but the last stored block is 2/);
    expect(error.message).to.match(/^LEDGER_INTEGRITY: /);
  });

  it('refuses a ledger whose tip record was edited', async () => {
    await edit(path, async (db) => {
      const meta = db.sublevel<string, string>('m', UTF8);
      const tip = JSON.parse((await meta.get('tip')) ?? '{}') as { height: number; lastHash: string };
      await meta.put('tip', JSON.stringify({ ...tip, lastHash: 'f'.repeat(64) }));
    });
    expect((await refusal(path)).problems).to.include('the tip hash does not match the last stored block');
  });

  it('refuses a ledger whose block data was edited', async () => {
    await edit(path, async (db) => {
      const blocks = db.sublevel<string, string>('b', UTF8);
      const raw = (await blocks.get('000000000002')) ?? '';
      await blocks.put('000000000002', raw.replace('"fn":"status:Revoke"', '"fn":"status:Issue"'));
    });
    expect((await refusal(path)).problems).to.include('block 2: data hash mismatch');
  });

  describe('a full rewrite that erases the revocation and recomputes every hash', () => {
    /** Deletes every record but the node key's, then copies the forged chain's records in. */
    async function replaceChain(from: string | undefined): Promise<void> {
      await edit(path, async (db) => {
        for await (const key of db.keys()) if (key !== '!m!nodeKey') await db.del(key);
        if (from === undefined) return;
        const forged = new ClassicLevel<string, string>(from, UTF8);
        for await (const [key, value] of forged.iterator())
          if (key !== '!m!nodeKey') await db.put(key, value);
        await forged.close();
      });
    }

    const withoutRevocation = history.filter(([fn]) => fn !== 'Revoke');

    async function keptHead(): Promise<SignedHead> {
      const ledger = await open(path);
      const head = ledger.signedHead();
      await ledger.close();
      return head;
    }

    it('is caught by the node-key signatures when the attacker lacks the key', async () => {
      const head = await keptHead();
      const forgedPath = join(dir, 'forged');
      const forger = await open(forgedPath);
      await run(forger, withoutRevocation);
      await forger.close();
      await replaceChain(forgedPath);

      expect((await refusal(path)).problems.join('\n')).to.match(/node-key signature does not verify/);
      const ledger = await open(path, false);
      // Opened without its check, it still does not serve the forged record: every read is checked
      // against its block, and the block's signature is not the node key's.
      const refused = await ledger.evaluate(registrar, 'status:Status', ['a']).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).to.be.instanceOf(RecordIntegrityError).and.include({ reason: 'block-unsound' });
      const check = await ledger.verifyChain();
      // The hash chain, state, history and index all agree: only the signatures give it away.
      expect(check.problems.filter((p) => !/node-key signature/.test(p))).to.deep.equal([]);
      expect(check.problems).to.have.length(3);
      expect((await ledger.verifyAgainstHead(head)).ok).to.equal(false);
      await ledger.close();
    });

    it('is caught by a head kept before it, even when re-signed with the node key', async () => {
      const head = await keptHead();
      await replaceChain(undefined);
      // The attacker holds the node key: the ledger itself writes and signs the forged chain.
      const forger = await open(path);
      await run(forger, withoutRevocation);
      await forger.close();

      const ledger = await open(path);
      expect(await ledger.evaluate(registrar, 'status:Status', ['a'])).to.equal('active');
      expect(await ledger.verifyChain()).to.deep.include({ ok: true, problems: [] });
      const check = await ledger.verifyAgainstHead(head);
      expect(check.ok).to.equal(false);
      expect(check.problems.join('\n')).to.match(/fewer than the 4 of the kept head/);
      await ledger.close();
    });

    it('reports a kept head at the same height whose block was replaced', async () => {
      const ledger = await open(path);
      const head = ledger.signedHead();
      await ledger.close();
      await replaceChain(undefined);
      const forger = await open(path);
      await run(forger, [...withoutRevocation, ['Issue', 'd']]);
      const check = await forger.verifyAgainstHead(head);
      expect(check.problems.join('\n')).to.match(/block 3 has hash .* but the kept head says/);
      expect(check.ok).to.equal(false);
      await forger.close();
    });
  });
});
