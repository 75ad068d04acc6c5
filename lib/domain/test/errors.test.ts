import { expect } from 'chai';
import { DomainError, ERROR_CODES, findErrorCode, parseErrorCode } from '../src/errors.js';

/** How a chaincode refusal reaches a Fabric client: the gateway's status, then the peer's details. */
function fabricWrapped(chaincodeMessage: string): string {
  return (
    '10 ABORTED: failed to endorse transaction, see attached details for more info; ' +
    `details: [{"address":"peer0.bureau:7051","mspId":"BureauMSP","message":"chaincode response 500, ${chaincodeMessage}"}]`
  );
}

describe('error codes', () => {
  for (const code of ERROR_CODES) {
    it(`recovers ${code} as itself, directly and wrapped by Fabric`, () => {
      const message = new DomainError(code, 'something about x: y').message;
      expect(parseErrorCode(message)).to.deep.equal({ code, detail: 'something about x: y' });
      expect(findErrorCode(message)).to.deep.equal({ code, detail: 'something about x: y' });
      const wrapped = findErrorCode(fabricWrapped(message));
      expect(wrapped?.code).to.equal(code);
      expect(wrapped?.detail).to.match(/^something about x: y/);
    });
  }

  it('never reads a code inside a longer one', () => {
    expect(findErrorCode(fabricWrapped('ORG_NOT_FOUND: organisation x is not registered'))).to.deep.include({
      code: 'ORG_NOT_FOUND',
    });
    expect(findErrorCode('chaincode response 500, CREDENTIAL_NOT_FOUND: urn:x')?.code).to.equal(
      'CREDENTIAL_NOT_FOUND',
    );
    expect(findErrorCode('chaincode response 500, XNOT_FOUND: urn:x')).to.equal(undefined);
    expect(findErrorCode('chaincode response 500, NOT_FOUNDX: urn:x')).to.equal(undefined);
  });

  it('takes the earliest code when a detail mentions another', () => {
    expect(findErrorCode('peer said: KEY_NOT_FOUND: key k (after NOT_FOUND: earlier lookup)')).to.deep.equal({
      code: 'KEY_NOT_FOUND',
      detail: 'key k (after NOT_FOUND: earlier lookup)',
    });
  });

  it("does not take the transport's gRPC status for the chaincode's code", () => {
    expect(findErrorCode('13 INTERNAL: chaincode response 500, ORG_NOT_FOUND: x')?.code).to.equal(
      'ORG_NOT_FOUND',
    );
    expect(findErrorCode('3 INVALID_ARGUMENT: malformed proposal')).to.equal(undefined);
  });

  it('guesses nothing for an unknown or absent code', () => {
    expect(findErrorCode('chaincode response 500, EXPLODED: boom')).to.equal(undefined);
    expect(findErrorCode('connection refused')).to.equal(undefined);
    expect(parseErrorCode('EXPLODED: boom')).to.equal(undefined);
  });
});
