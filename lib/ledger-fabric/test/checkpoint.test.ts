import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkpointers } from '@hyperledger/fabric-gateway';
import { AtomicFileCheckpointer } from '../src/index.js';

describe('Fabric event checkpoint file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edu-checkpoint-'));
    path = join(dir, 'fabric-events.checkpoint');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes where the last run stopped: after the last event, or at the block after a finished one', async () => {
    const first = await AtomicFileCheckpointer.open(path);
    expect(first.getBlockNumber()).to.equal(undefined);
    await first.checkpointTransaction(41n, 'tx-a');
    const second = await AtomicFileCheckpointer.open(path);
    expect([second.getBlockNumber(), second.getTransactionId()]).to.deep.equal([41n, 'tx-a']);
    await second.checkpointBlock(41n);
    const third = await AtomicFileCheckpointer.open(path);
    expect([third.getBlockNumber(), third.getTransactionId()]).to.deep.equal([42n, undefined]);
  });

  it("reads and writes fabric-gateway's own file format, so an existing checkpoint carries over", async () => {
    const theirs = await checkpointers.file(path);
    await theirs.checkpointTransaction(7n, 'tx-theirs');
    const ours = await AtomicFileCheckpointer.open(path);
    expect([ours.getBlockNumber(), ours.getTransactionId()]).to.deep.equal([7n, 'tx-theirs']);
    await ours.checkpointTransaction(8n, 'tx-ours');
    const back = await checkpointers.file(path);
    expect([back.getBlockNumber(), back.getTransactionId()]).to.deep.equal([8n, 'tx-ours']);
  });

  it('leaves the previous checkpoint whole when a write is cut before its rename', async () => {
    const checkpointer = await AtomicFileCheckpointer.open(path);
    await checkpointer.checkpointTransaction(12n, 'tx-kept');
    // A process killed mid-write leaves at most a partial temporary file beside the real one.
    writeFileSync(`${path}.next`, '{"blockNumber":"13","transac');
    const reopened = await AtomicFileCheckpointer.open(path);
    expect([reopened.getBlockNumber(), reopened.getTransactionId()]).to.deep.equal([12n, 'tx-kept']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).to.deep.equal({
      blockNumber: '12',
      transactionId: 'tx-kept',
    });
  });

  it('starts from now, and says so, when the file cannot be parsed', async () => {
    writeFileSync(path, '{"blockNumber":"9","trans');
    const problems: unknown[] = [];
    const checkpointer = await AtomicFileCheckpointer.open(path, (error) => problems.push(error));
    expect(checkpointer.getBlockNumber()).to.equal(undefined);
    expect(problems).to.have.length(1);
    // fabric-gateway's own checkpointer cannot open such a file at all.
    let theirs: unknown;
    try {
      await checkpointers.file(path);
    } catch (error) {
      theirs = error;
    }
    expect(theirs).to.be.instanceOf(SyntaxError);
  });
});
