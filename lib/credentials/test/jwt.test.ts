import { expect } from 'chai';
import {
  createDocumentLoader,
  didKeyFromSeed,
  envelopeJwt,
  issueCredentialJwt,
  jwtDigest,
  jwtOf,
  verifyCredentialJwt,
} from '../src/index.js';

describe('vc+jwt credentials', () => {
  const loader = createDocumentLoader();

  async function signed(): Promise<{ jwt: string; did: string }> {
    const { did, key } = await didKeyFromSeed(new Uint8Array(32).fill(51));
    const jwt = await issueCredentialJwt({
      credential: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: did,
        credentialSubject: { id: 'did:example:student', name: '测试' },
      },
      key,
      now: new Date('2026-09-01T00:00:00Z'),
    });
    return { jwt, did };
  }

  it('signs EdDSA with the issuer key and verifies, reporting kid and iat', async () => {
    const { jwt, did } = await signed();
    const check = await verifyCredentialJwt({ jwt, documentLoader: loader });
    expect(check.verified, JSON.stringify(check.error)).to.equal(true);
    expect(check.verificationMethod?.startsWith(`${did}#`)).to.equal(true);
    expect(check.created).to.equal('2026-09-01T00:00:00.000Z');
    expect(check.credential).to.deep.include({ issuer: did });
    expect(check.credential).not.to.have.property('iat');
  });

  it('fails a changed payload as SIGNATURE_INVALID and a malformed token as MALFORMED', async () => {
    const { jwt } = await signed();
    const [h, p, s] = jwt.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, any>;
    payload['credentialSubject'].name = '篡改';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await verifyCredentialJwt({ jwt: forged, documentLoader: loader })).error?.code).to.equal(
      'SIGNATURE_INVALID',
    );
    expect((await verifyCredentialJwt({ jwt: 'a.b.c', documentLoader: loader })).error?.code).to.equal(
      'MALFORMED',
    );
  });

  it('refuses a kid that is not a key of the issuer', async () => {
    const { jwt } = await signed();
    const [h, p, s] = jwt.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    payload['issuer'] = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const other = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await verifyCredentialJwt({ jwt: other, documentLoader: loader })).error?.code).to.equal(
      'KEY_NOT_AUTHORIZED',
    );
  });

  it('round-trips the VC 2.0 envelope and digests the exact compact form', async () => {
    const { jwt } = await signed();
    expect(jwtOf(envelopeJwt(jwt))).to.equal(jwt);
    expect(jwtOf(jwt)).to.equal(jwt);
    expect(jwtOf({ type: 'EnvelopedVerifiableCredential', id: 'data:text/plain,x' })).to.equal(undefined);
    expect(jwtDigest(jwt)).to.match(/^[0-9a-f]{64}$/);
    expect(jwtDigest(`${jwt}x`)).not.to.equal(jwtDigest(jwt));
  });
});
