import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Certificate } from '@fidm/x509';
import { hash, signers, type Hash, type Identity, type Signer } from '@hyperledger/fabric-gateway';
import { DomainError } from '@edu-ledger/domain';
import type { IdentityKind } from '@edu-ledger/ledger-port';

/** A client identity this gateway holds: its certificate, its signer, and the id the peer sees. */
export interface HeldIdentity {
  mspId: string;
  /** `x509::<subject>::<issuer>`, formatted exactly as the chaincode's `getID()` formats it. */
  id: string;
  identity: Identity;
  signer: Signer;
  /** What the gateway hashes before it calls `signer` (none when the signer hashes itself). */
  hash: Hash;
}

/**
 * The id the chaincode shim derives from a certificate. fabric-shim formats the subject and
 * issuer DNs from @fidm/x509's attributes, so the same library and format are used here: a role
 * grant written for this id then matches the caller the peer sees.
 */
export function fabricIdentityId(certificatePem: string): string {
  const cert = Certificate.fromPEM(Buffer.from(certificatePem));
  const format = (dn: { attributes: { shortName: string; value: string }[] }): string =>
    dn.attributes.map((a) => `/${a.shortName}=${a.value.replace('/', '\\/')}`).join('');
  return `x509::${format(cert.subject)}::${format(cert.issuer)}`;
}

/** True when the certificate's subject carries the NodeOU `OU=admin`. */
export function hasAdminOu(certificatePem: string): boolean {
  const cert = Certificate.fromPEM(Buffer.from(certificatePem));
  return cert.subject.attributes.some((a) => a.shortName === 'OU' && a.value === 'admin');
}

/**
 * Loads `<dir>/<name>/{cert.pem,key.pem}`. The identity must be of the kind asked for: an admin
 * request served by a client certificate (or the reverse) would act with the wrong role.
 */
export async function loadIdentity(
  mspId: string,
  identitiesDir: string,
  name: string,
  kind: IdentityKind,
): Promise<HeldIdentity> {
  if (!/^[A-Za-z0-9@._-]+$/.test(name)) throw new DomainError('INVALID_ARGUMENT', 'bad identity name');
  const folder = join(identitiesDir, name);
  let certificate: string;
  let key: string;
  try {
    [certificate, key] = await Promise.all([
      readFile(join(folder, 'cert.pem'), 'utf8'),
      readFile(join(folder, 'key.pem'), 'utf8'),
    ]);
  } catch {
    throw new DomainError('NOT_FOUND', `this gateway holds no identity ${name} of ${mspId}`);
  }
  if (hasAdminOu(certificate) !== (kind === 'admin')) {
    throw new DomainError('INVALID_STATE', `identity ${name} of ${mspId} is not an ${kind} certificate`);
  }
  return {
    mspId,
    id: fabricIdentityId(certificate),
    identity: { mspId, credentials: Buffer.from(certificate) },
    ...fastSigner(createPrivateKey(key)),
  };
}

/** Orders of the curves Fabric's MSPs use, for low-S normalisation. */
const CURVE_ORDER: Readonly<Record<string, bigint>> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1:
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/**
 * Signs with OpenSSL rather than fabric-gateway's own signer, whose pure-JavaScript ECDSA took a
 * fifth of the gateway's busy CPU under load on Fabric (a profile of bench:fabric; each submit
 * signs a proposal, an envelope and a commit-status request). OpenSSL hashes the message itself,
 * so the gateway is told to pass it unhashed (`hash.none`). Fabric refuses high-S signatures, so S
 * is folded into the lower half of the curve order, as fabric-gateway's signer does. Keys of
 * other curves keep fabric-gateway's signer.
 */
export function fastSigner(key: KeyObject): { signer: Signer; hash: Hash } {
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const order = curve === undefined ? undefined : CURVE_ORDER[curve];
  if (order === undefined) return { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 };
  const digest = curve === 'secp384r1' ? 'sha384' : 'sha256';
  return {
    hash: hash.none,
    signer: (message) => {
      const raw = sign(digest, message, { key, dsaEncoding: 'ieee-p1363' });
      const half = raw.length / 2;
      const r = BigInt(`0x${raw.subarray(0, half).toString('hex')}`);
      let s = BigInt(`0x${raw.subarray(half).toString('hex')}`);
      if (s > order / 2n) s = order - s;
      return Promise.resolve(derSignature(r, s));
    },
  };
}

/** ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, DER (lengths under 128 for these curves). */
function derSignature(r: bigint, s: bigint): Uint8Array {
  const integer = (value: bigint): Buffer => {
    let hex = value.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let bytes = Buffer.from(hex, 'hex');
    if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
