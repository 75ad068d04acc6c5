import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Certificate } from '@fidm/x509';
import { signers, type Identity, type Signer } from '@hyperledger/fabric-gateway';
import { DomainError } from '@edu-ledger/domain';
import type { IdentityKind } from '@edu-ledger/ledger-port';

/** A client identity this gateway holds: its certificate, its signer, and the id the peer sees. */
export interface HeldIdentity {
  mspId: string;
  /** `x509::<subject>::<issuer>`, formatted exactly as the chaincode's `getID()` formats it. */
  id: string;
  identity: Identity;
  signer: Signer;
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
    signer: signers.newPrivateKeySigner(createPrivateKey(key)),
  };
}
