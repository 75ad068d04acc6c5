import { expect } from 'chai';
import {
  createDocumentLoader,
  credentialDigest,
  didKeyFromSeed,
  verifyCredentialProof,
} from '@edu-ledger/credentials';
import { WorkerPoolSigner } from '../src/services/signer.js';

describe('worker-pool signer', function () {
  this.timeout(60_000);

  it('signs on worker threads with proofs that verify, and reports a refused signature as an error', async () => {
    const pool = new WorkerPoolSigner(2);
    try {
      const { key } = await didKeyFromSeed(new Uint8Array(32).fill(31));
      const credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: key.controller,
        credentialSubject: { id: 'did:example:holder', name: '测试' },
      };
      const signed = await Promise.all([1, 2, 3, 4].map(() => pool.sign(credential, key, new Date())));
      for (const { credential: vc, digest } of signed) {
        expect(digest).to.equal(credentialDigest(vc));
        const check = await verifyCredentialProof({ credential: vc, documentLoader: createDocumentLoader() });
        expect(check.verified, JSON.stringify(check.error)).to.equal(true);
      }
      const wrongIssuer = pool.sign({ ...credential, issuer: 'did:example:someone-else' }, key, new Date());
      const error = await wrongIssuer.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/controller/);
    } finally {
      await pool.close();
    }
  });
});
