import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { expect } from 'chai';
import { hash } from '@hyperledger/fabric-gateway';
import { fastSigner } from '../src/identities.js';

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** r and s of a DER ECDSA signature (both lengths short, as for P-256). */
function parseDer(der: Uint8Array): { r: bigint; s: bigint } {
  const bytes = Buffer.from(der);
  expect(bytes[0]).to.equal(0x30);
  expect(bytes[1]).to.equal(bytes.length - 2);
  const rLength = bytes[3] ?? 0;
  const r = bytes.subarray(4, 4 + rLength);
  const s = bytes.subarray(4 + rLength + 2);
  expect(bytes[2]).to.equal(0x02);
  expect(bytes[4 + rLength]).to.equal(0x02);
  return { r: BigInt(`0x${r.toString('hex')}`), s: BigInt(`0x${s.toString('hex')}`) };
}

/** A P-256 scalar as 32 bytes of hex, as the IEEE P1363 encoding puts r and s side by side. */
const fixed = (value: bigint): string => value.toString(16).padStart(64, '0');

describe('Fabric client signer (OpenSSL, low-S)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const { signer, hash: gatewayHash } = fastSigner(privateKey);

  it('is given the message unhashed and hashes it itself with SHA-256', () => {
    expect(gatewayHash).to.equal(hash.none);
  });

  it('signs DER signatures that verify, always with S in the lower half of the order', async () => {
    let highSWithoutFolding = 0;
    for (let i = 0; i < 200; i++) {
      const message = randomBytes(64 + i);
      const signature = await signer(message);
      expect(verify('sha256', message, publicKey, signature), `signature ${i}`).to.equal(true);
      const { s } = parseDer(signature);
      expect(s <= P256_ORDER / 2n, `signature ${i} is low-S`).to.equal(true);
      // The same signature with S unfolded (n - s) also verifies: folding changed only its form.
      const { r } = parseDer(signature);
      const twin = Buffer.from(fixed(r) + fixed(P256_ORDER - s), 'hex');
      if (verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, twin)) {
        highSWithoutFolding += 1;
      }
    }
    expect(highSWithoutFolding, 'every signature has a high-S twin that Fabric would refuse').to.equal(200);
  });

  it('refuses nothing it cannot sign fast: other key types keep the gateway library signer', () => {
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(fastSigner(ed).hash).to.equal(hash.sha256);
  });
});
