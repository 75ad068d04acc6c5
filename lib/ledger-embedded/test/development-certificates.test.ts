import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { DomainError } from '@edu-ledger/domain';
import { DevelopmentCertificates, parseIdentityId, x509Identity } from '../src/index.js';

describe('development certificates', () => {
  it('keeps the id strings the ledger has always used', () => {
    expect(x509Identity('BureauMSP', 'admin@bureau', 'admin')).to.deep.equal({
      mspId: 'BureauMSP',
      id: 'x509::/OU=admin/CN=admin@bureau::/CN=ca.bureaumsp',
    });
    expect(x509Identity('SchoolGenMSP', 'teacher@school-gen').id).to.equal(
      'x509::/OU=client/CN=teacher@school-gen::/CN=ca.schoolgenmsp',
    );
  });

  it('refuses a common name that would print as more than one name attribute', () => {
    expect(() => x509Identity('BureauMSP', 'x/OU=admin')).to.throw(DomainError, /INVALID_ARGUMENT/);
    expect(() => x509Identity('BureauMSP', 'a::b')).to.throw(DomainError);
  });

  it('issues a certificate whose subject and issuer are the names in the id, signed by the MSP’s CA', async () => {
    const certificates = new DevelopmentCertificates();
    const teacher = x509Identity('SchoolGenMSP', 'teacher@school-gen');
    const certificate = new X509Certificate(await certificates.certificateFor(teacher));
    expect(certificate.subject).to.equal('OU=client\nCN=teacher@school-gen');
    expect(certificate.issuer).to.equal('CN=ca.schoolgenmsp');
    expect(certificate.ca).to.equal(false);
    const ca = new X509Certificate(await certificates.issuerCertificate(teacher));
    expect(ca.ca).to.equal(true);
    expect(certificate.checkIssued(ca)).to.equal(true);
    expect(certificate.verify(ca.publicKey)).to.equal(true);
  });

  it('issues once per identity, and one CA per MSP for all of its identities', async () => {
    const certificates = new DevelopmentCertificates();
    const alice = x509Identity('Org1MSP', 'alice');
    const bob = x509Identity('Org1MSP', 'bob', 'admin');
    const first = await certificates.certificateFor(alice);
    expect(await certificates.certificateFor(alice)).to.equal(first);
    const ca = new X509Certificate(await certificates.issuerCertificate(alice));
    expect(new X509Certificate(await certificates.certificateFor(bob)).verify(ca.publicKey)).to.equal(true);
    const other = new X509Certificate(await certificates.issuerCertificate(x509Identity('Org2MSP', 'carol')));
    expect(new X509Certificate(first).verify(other.publicKey)).to.equal(false);
  });

  it('refuses an id it cannot reproduce exactly', async () => {
    const certificates = new DevelopmentCertificates();
    for (const id of ['alice', 'x509::/OU=client/CN=a', 'x509::/XX=1::/CN=ca', 'x509::OU=a::/CN=ca']) {
      expect(parseIdentityId(id), id).to.equal(undefined);
      const error = await certificates.certificateFor({ mspId: 'Org1MSP', id }).catch((e: unknown) => e);
      expect(error, id).to.be.instanceOf(DomainError).with.property('code', 'INVALID_ARGUMENT');
    }
  });
});
