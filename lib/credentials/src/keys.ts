import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as signBytes,
  verify as verifyBytes,
} from 'node:crypto';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Signer, Verifier } from '@digitalbazaar/ed25519-multikey';
import { MULTIKEY_V1_CONTEXT } from './contexts.js';

/** An Ed25519 Multikey with its secret, as stored by a wallet or an issuer's key store. */
export interface ExportedKey {
  id: string;
  controller: string;
  type: 'Multikey';
  publicKeyMultibase: string;
  secretKeyMultibase: string;
}

/** The publishable half of an {@link ExportedKey}: a DID document verification method. */
export type PublicKey = Omit<ExportedKey, 'secretKeyMultibase'>;

const SEED_BYTES = 32;

function toExportedKey(
  pair: Ed25519Multikey.Ed25519KeyPair,
  controller: string,
  id: string | undefined,
): ExportedKey {
  if (pair.secretKeyMultibase === undefined) throw new Error('generated key pair has no secret key');
  return {
    id: id ?? `${controller}#${pair.publicKeyMultibase}`,
    controller,
    type: 'Multikey',
    publicKeyMultibase: pair.publicKeyMultibase,
    secretKeyMultibase: pair.secretKeyMultibase,
  };
}

/**
 * Generates a random Ed25519 key controlled by `controller`. The id defaults to
 * `<controller>#<publicKeyMultibase>`, the did:key convention.
 */
export async function generateEd25519Key({
  controller,
  id,
}: {
  controller: string;
  id?: string;
}): Promise<ExportedKey> {
  return toExportedKey(await Ed25519Multikey.generate(), controller, id);
}

/**
 * Derives a did:key (Ed25519) and its key deterministically from a 32-byte seed, so a wallet can
 * recreate its identity from a mnemonic. The same seed always gives the same DID.
 */
export async function didKeyFromSeed(seed: Uint8Array): Promise<{ did: string; key: ExportedKey }> {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new RangeError(`didKeyFromSeed: seed must be ${SEED_BYTES} bytes`);
  }
  // The library may keep a reference to the seed it is given; a copy keeps the caller's buffer private.
  const pair = await Ed25519Multikey.generate({ seed: Uint8Array.from(seed) });
  const did = `did:key:${pair.publicKeyMultibase}`;
  return { did, key: toExportedKey(pair, did, undefined) };
}

/** Strips the secret so the key can be published in a DID document or sent over the wire. */
export function publicKeyOnly(key: ExportedKey | PublicKey): PublicKey {
  return {
    id: key.id,
    controller: key.controller,
    type: 'Multikey',
    publicKeyMultibase: key.publicKeyMultibase,
  };
}

const PROBE = new TextEncoder().encode('edu-ledger key pair probe');

/**
 * Imports a stored key for signing. A secret that does not belong to the public key would produce
 * proofs that can never verify, so the pair is checked with a probe signature first.
 */
export function signerFor(key: ExportedKey): Promise<Signer> {
  // Importing the key and probing it costs three signature-sized operations; an issuer signs with
  // the same key thousands of times, so the checked signer is kept per exact key material.
  const cacheKey = createHash('sha256')
    .update(`${key.id}\n${key.controller}\n${key.publicKeyMultibase}\n${key.secretKeyMultibase}`)
    .digest('hex');
  let signer = signers.get(cacheKey);
  if (!signer) {
    signer = importSigner(key);
    signers.set(cacheKey, signer);
    signer.catch(() => signers.delete(cacheKey));
  }
  return signer;
}

const signers = new Map<string, Promise<Signer>>();

async function importSigner(key: ExportedKey): Promise<Signer> {
  const multikey = {
    '@context': MULTIKEY_V1_CONTEXT,
    type: 'Multikey',
    id: key.id,
    controller: key.controller,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase: key.secretKeyMultibase,
  };
  // The multikey header says which curve: zDn is P-256 (ecdsa-sd-2023 keys), anything else Ed25519.
  let pair: { verifier(): Verifier };
  let signer: Signer;
  if (key.publicKeyMultibase.startsWith('zDn')) {
    const ecdsa = await EcdsaMultikey.from(multikey);
    [pair, signer] = [ecdsa, ecdsa.signer()];
  } else {
    const ed25519 = await Ed25519Multikey.from(multikey);
    [pair, signer] = [ed25519, ed25519Signer(ed25519)];
  }
  const signature = await signer.sign({ data: PROBE });
  if (!(await pair.verifier().verify({ data: PROBE, signature }))) {
    throw new Error(`secret key does not match public key of ${key.id}`);
  }
  return signer;
}

// PKCS #8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The library's Ed25519 signer re-imports the secret key into OpenSSL for every signature (a
 * fifth of a credential's signing time in a profile); this one imports it once and keeps the
 * key object. Same algorithm, same bytes signed, same signature.
 */
function ed25519Signer(pair: Ed25519Multikey.Ed25519KeyPair): Signer {
  const secret = pair.secretKey;
  if (secret?.length !== 64) throw new Error('Ed25519 key pair has no secret key');
  const keyObject = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, secret.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  return {
    id: pair.id,
    algorithm: 'Ed25519',
    sign: ({ data }) => Promise.resolve(new Uint8Array(signBytes(null, data, keyObject))),
  };
}

// SPKI wrapping of a raw 32-byte Ed25519 public key (RFC 8410).
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_CACHED_VERIFIERS = 1024;
const verifiers = new Map<string, Promise<Verifier>>();

/**
 * An Ed25519 verifier for a verification method, kept per exact method (id, type, controller, key):
 * the library's verifier imports the public key into OpenSSL for every signature check. The
 * library's own import still validates the method (type, context, key header) the first time.
 */
export function verifierFor({
  verificationMethod,
}: {
  verificationMethod: Readonly<Record<string, unknown>>;
}): Promise<Verifier> {
  const cacheKey = JSON.stringify([
    verificationMethod.id,
    verificationMethod.type,
    verificationMethod.controller,
    verificationMethod.publicKeyMultibase,
  ]);
  let verifier = verifiers.get(cacheKey);
  if (verifier === undefined) {
    verifier = importVerifier(verificationMethod);
    verifier.catch(() => verifiers.delete(cacheKey));
    const oldest = verifiers.keys().next();
    if (verifiers.size >= MAX_CACHED_VERIFIERS && oldest.done !== true) verifiers.delete(oldest.value);
    verifiers.set(cacheKey, verifier);
  }
  return verifier;
}

async function importVerifier(verificationMethod: Readonly<Record<string, unknown>>): Promise<Verifier> {
  const pair = await Ed25519Multikey.from(verificationMethod);
  const keyObject = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, pair.publicKey]),
    format: 'der',
    type: 'spki',
  });
  return {
    id: pair.id,
    algorithm: 'Ed25519',
    verify: ({ data, signature }) => Promise.resolve(verifyBytes(null, data, keyObject, signature)),
  };
}
