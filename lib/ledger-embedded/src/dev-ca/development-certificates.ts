import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError, type ClientIdentity } from '@edu-ledger/domain';
import { formatDn, parseIdentityId } from '../identities.js';
import { issueCertificate, type DnAttribute } from './certificate.js';

const generateEcKeyPair = promisify(generateKeyPair);

/** Certificates carry fixed dates: nothing reads them, and a clock would make them vary for nothing. */
const NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
/** RFC 5280 4.1.2.5: 9999-12-31T23:59:59Z stands for "no well-defined expiration date". */
const NOT_AFTER = new Date('9999-12-31T23:59:59Z');

interface Authority {
  name: DnAttribute[];
  privateKey: KeyObject;
  /** The CA's own self-signed certificate (PEM). */
  certificate: string;
}

async function newKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return generateEcKeyPair('ec', { namedCurve: 'P-256' });
}

/** A positive 16-byte serial number (RFC 5280 allows up to 20 octets). */
function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  return serial;
}

/**
 * The embedded ledger stands in for every organisation's CA: for each identity that transacts it
 * issues, once, a real X.509 certificate whose subject and issuer are the names in the identity's
 * `getID()` string, signed by an in-memory development CA per MSP and issuer name. The chaincode
 * then reads roles from certificate bytes exactly as on a peer. The CAs live as long as the
 * ledger object; certificates are not stored, since blocks record the identity's id, not its bytes.
 */
export class DevelopmentCertificates {
  private readonly authorities = new Map<string, Promise<Authority>>();
  private readonly certificates = new Map<string, Promise<Uint8Array>>();

  /**
   * The PEM bytes of the identity's certificate, issued on first use.
   * @throws DomainError INVALID_ARGUMENT when the id is not an `x509::` id this CA can reproduce.
   */
  certificateFor(identity: ClientIdentity): Promise<Uint8Array> {
    const cacheKey = `${identity.mspId}\n${identity.id}`;
    let certificate = this.certificates.get(cacheKey);
    if (!certificate) {
      certificate = this.issue(identity);
      // A failed issue is not remembered, so it is reported again rather than cached.
      certificate.catch(() => this.certificates.delete(cacheKey));
      this.certificates.set(cacheKey, certificate);
    }
    return certificate;
  }

  private async issue(identity: ClientIdentity): Promise<Uint8Array> {
    const names = parseIdentityId(identity.id);
    if (!names) {
      throw new DomainError('INVALID_ARGUMENT', 'the identity id is not an x509 id this ledger can issue');
    }
    return this.certificateWithNames(identity.mspId, names.subject, names.issuer);
  }

  /**
   * A certificate for any subject, including ones no `getID()` string names unambiguously (a common
   * name with `/`), for tests of what a chaincode reads from certificates. Not cached.
   */
  async certificateWithNames(
    mspId: string,
    subject: readonly DnAttribute[],
    issuer: readonly DnAttribute[],
  ): Promise<Uint8Array> {
    const authority = await this.authority(mspId, [...issuer]);
    const { publicKey } = await newKeyPair();
    const pem = issueCertificate({
      serialNumber: serialNumber(),
      subject,
      issuer: authority.name,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      subjectKey: publicKey,
      issuerKey: authority.privateKey,
      isCa: false,
    });
    return Buffer.from(pem, 'utf8');
  }

  /**
   * The PEM certificate of the development CA that issued the identity's certificate (issued on
   * demand, like the identity's), so a test can check the chain.
   */
  async issuerCertificate(identity: ClientIdentity): Promise<string> {
    const names = parseIdentityId(identity.id);
    if (!names) throw new DomainError('INVALID_ARGUMENT', 'the identity id is not an x509 id');
    return (await this.authority(identity.mspId, names.issuer)).certificate;
  }

  private authority(mspId: string, name: DnAttribute[]): Promise<Authority> {
    const cacheKey = `${mspId}\n${formatDn(name)}`;
    let authority = this.authorities.get(cacheKey);
    if (!authority) {
      authority = newKeyPair().then(({ publicKey, privateKey }) => ({
        name,
        privateKey,
        certificate: issueCertificate({
          serialNumber: serialNumber(),
          subject: name,
          issuer: name,
          notBefore: NOT_BEFORE,
          notAfter: NOT_AFTER,
          subjectKey: publicKey,
          issuerKey: privateKey,
          isCa: true,
        }),
      }));
      this.authorities.set(cacheKey, authority);
    }
    return authority;
  }
}
