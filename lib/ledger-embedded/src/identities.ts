import { DomainError, type ClientIdentity } from '@edu-ledger/domain';
import { isSupportedAttribute, type DnAttribute } from './dev-ca/certificate.js';

/**
 * A client identity in Fabric's `getID()` form (`x509::<subject>::<issuer>`), with the NodeOU in
 * the subject: `admin` for an MSP admin, `client` for everyone else. The embedded ledger issues the
 * matching certificate when the identity first transacts (see DevelopmentCertificates).
 * @throws DomainError INVALID_ARGUMENT for a common name with `/`, `\` or `::`, which Fabric's
 * `getID()` would print differently (or ambiguously).
 */
export function x509Identity(
  mspId: string,
  commonName: string,
  ou: 'admin' | 'client' = 'client',
): ClientIdentity {
  if (/[/\\]|::/.test(commonName)) {
    throw new DomainError('INVALID_ARGUMENT', 'a common name may not contain "/", "\\" or "::"');
  }
  return { mspId, id: `x509::/OU=${ou}/CN=${commonName}::/CN=ca.${mspId.toLowerCase()}` };
}

/** A distinguished name as fabric-shim prints it in `getID()`: `/OU=client/CN=alice`. */
export function formatDn(attributes: readonly DnAttribute[]): string {
  return attributes.map((a) => `/${a.shortName}=${a.value}`).join('');
}

function parseDn(text: string): DnAttribute[] | undefined {
  if (!text.startsWith('/')) return undefined;
  const attributes: DnAttribute[] = [];
  for (const part of text.slice(1).split('/')) {
    const at = part.indexOf('=');
    const shortName = part.slice(0, at);
    if (at <= 0 || !isSupportedAttribute(shortName)) return undefined;
    attributes.push({ shortName, value: part.slice(at + 1) });
  }
  return attributes;
}

/**
 * The subject and issuer names of a `getID()` string, or undefined when the string is not one
 * this ledger can issue a certificate for (it must print back to exactly the same string).
 */
export function parseIdentityId(id: string): { subject: DnAttribute[]; issuer: DnAttribute[] } | undefined {
  const [scheme, subjectText, issuerText, ...rest] = id.split('::');
  if (scheme !== 'x509' || subjectText === undefined || issuerText === undefined || rest.length > 0) {
    return undefined;
  }
  const subject = parseDn(subjectText);
  const issuer = parseDn(issuerText);
  if (!subject || !issuer) return undefined;
  return `x509::${formatDn(subject)}::${formatDn(issuer)}` === id ? { subject, issuer } : undefined;
}
