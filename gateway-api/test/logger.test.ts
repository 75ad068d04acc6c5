import { Writable } from 'node:stream';
import { expect } from 'chai';
import { DomainError } from '@edu-ledger/domain';
import { createLogger, errorSummary } from '../src/logger.js';

/** A log destination that keeps every line written to it. */
function sink(): { stream: Writable; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

describe('logger: errors reach the log without personal data', () => {
  // A library error that quotes its input, as jsonld.js and zod do.
  const quoting = Object.assign(
    new Error('Invalid value "王小明 110101201001011234" at credentialSubject.name'),
    {
      code: 'jsonld.SyntaxError',
      details: { value: '王小明', idNumber: '110101201001011234' },
    },
  );

  it('keeps name, code, a digest of the message and stack frames, never the message or other fields', () => {
    const { stream, text } = sink();
    const logger = createLogger('info', stream);
    logger.error({ err: quoting, path: '/credentials/verify' }, 'unhandled error');
    logger.flush();
    const line = JSON.parse(text()) as { err: Record<string, unknown> };
    expect(text()).to.not.include('王小明').and.not.include('110101201001011234');
    expect(line.err).to.include({ errorName: 'Error', code: 'jsonld.SyntaxError' });
    expect(line.err['messageDigest']).to.match(/^[0-9a-f]{16}$/);
    expect(line.err['frames']).to.be.an('array').that.is.not.empty;
    // The same message gives the same digest, so two log lines can be matched.
    expect(errorSummary(new Error(quoting.message)).messageDigest).to.equal(line.err['messageDigest']);
  });

  it("keeps a DomainError's detail, which we write with ids only", () => {
    expect(errorSummary(new DomainError('NOT_FOUND', 'no completion t-1/c-2'))).to.include({
      errorName: 'DomainError',
      detail: 'no completion t-1/c-2',
    });
  });

  it('summarises a thrown non-error by its type alone', () => {
    expect(errorSummary({ name: '王小明' })).to.deep.equal({ errorName: 'object', frames: [] });
  });
});
