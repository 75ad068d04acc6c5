import { expect } from 'chai';
import { verifyCredential } from 'did-jwt-vc';
import { importJWK, jwtVerify } from 'jose';
import {
  createDocumentLoader,
  didKeyFromSeed,
  envelopeJwt,
  issueCredentialJwt,
  jwtDigest,
  jwtOf,
  verifyCredentialJwt,
} from '../src/index.js';
import type { Credential, DocumentLoader } from '../src/index.js';
import { didResolver, ed25519Jwk, jwtParts } from './support/interop.js';

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

  /** Re-signs a changed payload with the issuer's own key: a validly signed JWT that says something else. */
  async function resigned(change: (payload: Record<string, any>) => void): Promise<string> {
    const { key } = await didKeyFromSeed(new Uint8Array(32).fill(51));
    const { jwt } = await signed();
    const { header, payload } = jwtParts(jwt);
    change(payload);
    const { signCompactJws } = await import('../src/jwt.js');
    return signCompactJws(header, payload, key);
  }

  it('carries iss (the issuer), jti (the id) and sub (the one subject id) beside the credential, typ vc+jwt', async () => {
    const { did, key } = await didKeyFromSeed(new Uint8Array(32).fill(51));
    const jwt = await issueCredentialJwt({
      credential: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: 'urn:uuid:0f5e7a8c-2b4d-4e6f-8a1c-3d5e7f9a1b2c',
        type: ['VerifiableCredential'],
        issuer: { id: did, name: '示范学校' },
        credentialSubject: [{ id: 'did:example:student', name: '测试' }],
      },
      key,
      now: new Date('2026-09-01T00:00:00Z'),
    });
    const { header, payload } = jwtParts(jwt);
    expect(header).to.deep.equal({ alg: 'EdDSA', kid: key.id, typ: 'vc+jwt', cty: 'vc' });
    expect(payload).to.include({
      iss: did,
      jti: 'urn:uuid:0f5e7a8c-2b4d-4e6f-8a1c-3d5e7f9a1b2c',
      sub: 'did:example:student',
      iat: 1788220800,
    });
    // VC 2.0 style: the payload is the credential itself (VC-JOSE-COSE forbids the vc claim).
    expect(payload).not.to.have.property('vc');
    expect(payload.issuer).to.deep.equal({ id: did, name: '示范学校' });
    const check = await verifyCredentialJwt({ jwt, documentLoader: loader });
    expect(check.verified, JSON.stringify(check.error)).to.equal(true);
    expect(check.credential).not.to.have.any.keys('iss', 'jti', 'sub', 'iat');
  });

  it('leaves sub out when there are several subjects or the subject has no id, and jti when there is no id', async () => {
    const { did, key } = await didKeyFromSeed(new Uint8Array(32).fill(51));
    const base: Credential = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer: did,
      credentialSubject: [{ id: 'did:example:a' }, { id: 'did:example:b' }],
    };
    const several = jwtParts(await issueCredentialJwt({ credential: base, key })).payload;
    expect(several).to.include({ iss: did });
    expect(several).not.to.have.any.keys('sub', 'jti');
    const anonymous = jwtParts(
      await issueCredentialJwt({ credential: { ...base, credentialSubject: { name: '匿名' } }, key }),
    ).payload;
    expect(anonymous).not.to.have.property('sub');
  });

  it('is verified by did-jwt-vc (key-did-resolver) and by jose with the issuer public JWK', async () => {
    const { jwt, did } = await signed();
    const { header } = jwtParts(jwt);
    // did-jwt-vc's format policy checks the VC 1.1 data model (the 2018 context), so it is turned
    // off for a VC 2.0 credential; signature, iss, key resolution and time claims are all checked.
    const verified = await verifyCredential(jwt, didResolver(), {
      proofPurpose: 'assertionMethod',
      policies: { format: false },
    });
    expect(verified.issuer).to.equal(did);
    expect(verified.signer.id).to.equal(header.kid);

    const jwk = ed25519Jwk(did.slice('did:key:'.length));
    const { payload, protectedHeader } = await jwtVerify(jwt, await importJWK(jwk, 'EdDSA'), {
      typ: 'vc+jwt',
      issuer: did,
      algorithms: ['EdDSA'],
    });
    expect(protectedHeader.kid).to.equal(header.kid);
    expect(payload.credentialSubject).to.deep.equal({ id: 'did:example:student', name: '测试' });
  });

  it('refuses claims that contradict the credential, and a VC 1.1 vc claim, as MALFORMED', async () => {
    const forgedIss = await resigned((p) => (p.iss = 'did:example:someone-else'));
    const forgedSub = await resigned((p) => (p.sub = 'did:example:someone-else'));
    const forgedJti = await resigned((p) => {
      p.id = 'urn:uuid:1';
      p.jti = 'urn:uuid:2';
    });
    const legacy = await resigned((p) => (p.vc = { type: ['VerifiableCredential'] }));
    for (const [jwt, message] of [
      [forgedIss, 'iss'],
      [forgedSub, 'sub'],
      [forgedJti, 'jti'],
      [legacy, 'vc+jwt'],
    ] as const) {
      const check = await verifyCredentialJwt({ jwt, documentLoader: loader });
      expect(check.verified).to.equal(false);
      expect(check.error?.code, message).to.equal('MALFORMED');
      expect(check.error?.message).to.contain(message);
    }
  });

  it('refuses a key that the issuer does not list under assertionMethod', async () => {
    const { jwt } = await signed();
    const noAssertion: DocumentLoader = async (url) => {
      const answer = await loader(url);
      if (url.includes('#')) return answer;
      const { assertionMethod: _dropped, ...document } = answer.document;
      return { ...answer, document };
    };
    const check = await verifyCredentialJwt({ jwt, documentLoader: noAssertion });
    expect(check.verified).to.equal(false);
    expect(check.error?.code).to.equal('KEY_NOT_AUTHORIZED');
  });

  it('refuses to sign a credential whose own members would contradict the JWT claims', async () => {
    const { did, key } = await didKeyFromSeed(new Uint8Array(32).fill(51));
    const credential: Credential = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer: did,
      credentialSubject: { id: 'did:example:student' },
      sub: 'did:example:other',
    };
    let thrown: unknown;
    try {
      await issueCredentialJwt({ credential, key });
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).to.contain('"sub"');
  });
});
