import { sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  booleanTrue,
  explicit,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  singletonSet,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

/** One attribute of a distinguished name, by the short name Fabric prints in `getID()`. */
export interface DnAttribute {
  shortName: string;
  value: string;
}

/** The attribute types our identities use, with their OIDs (X.520). */
const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
};

/** True when a short name is one this writer can encode. */
export function isSupportedAttribute(shortName: string): boolean {
  return Object.hasOwn(ATTRIBUTE_OIDS, shortName);
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
/** keyUsage bits (RFC 5280 4.2.1.3), trailing zero bits dropped as DER requires. */
const KEY_USAGE_DIGITAL_SIGNATURE = { bits: Buffer.from([0x80]), unused: 7 };
const KEY_USAGE_CERT_AND_CRL_SIGN = { bits: Buffer.from([0x06]), unused: 1 };

export interface CertificateRequest {
  serialNumber: Uint8Array;
  subject: readonly DnAttribute[];
  issuer: readonly DnAttribute[];
  notBefore: Date;
  notAfter: Date;
  /** The public key the certificate certifies. */
  subjectKey: KeyObject;
  /** The issuer's private key, an EC P-256 key (what Fabric's CAs use). */
  issuerKey: KeyObject;
  isCa: boolean;
}

function name(attributes: readonly DnAttribute[]): Buffer {
  return sequence(
    ...attributes.map(({ shortName, value }) => {
      const oid = ATTRIBUTE_OIDS[shortName];
      if (oid === undefined) throw new Error(`unsupported name attribute ${shortName}`);
      // X.520 requires countryName as a PrintableString; every other attribute is UTF-8.
      const encoded = shortName === 'C' ? printableString(value) : utf8String(value);
      return singletonSet(sequence(objectIdentifier(oid), encoded));
    }),
  );
}

function extension(oid: string, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), booleanTrue(), octetString(value));
}

function extensions(isCa: boolean): Buffer {
  const usage = isCa ? KEY_USAGE_CERT_AND_CRL_SIGN : KEY_USAGE_DIGITAL_SIGNATURE;
  return explicit(
    3,
    sequence(
      extension(BASIC_CONSTRAINTS, isCa ? sequence(booleanTrue()) : sequence()),
      extension(KEY_USAGE, bitString(usage.bits, usage.unused)),
    ),
  );
}

/**
 * An X.509 v3 certificate (RFC 5280) signed with ECDSA P-256/SHA-256, as PEM text.
 * @throws Error for a name attribute this writer does not know.
 */
export function issueCertificate(request: CertificateRequest): string {
  const algorithm = sequence(objectIdentifier(ECDSA_WITH_SHA256));
  const subjectPublicKeyInfo = request.subjectKey.export({ type: 'spki', format: 'der' });
  const tbsCertificate = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(request.serialNumber),
    algorithm,
    name(request.issuer),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.subject),
    subjectPublicKeyInfo,
    extensions(request.isCa),
  );
  const signature = sign('sha256', tbsCertificate, request.issuerKey);
  const der = sequence(tbsCertificate, algorithm, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
