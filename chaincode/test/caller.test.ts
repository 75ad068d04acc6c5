import { expect } from 'chai';
import { DomainError } from '@edu-ledger/domain';
import { DevelopmentCertificates } from '@edu-ledger/ledger-embedded';
import { isAdminIdentity, subjectOrganizationalUnits } from '../src/caller.js';

describe('the admin role, read from the caller’s certificate', () => {
  const certificates = new DevelopmentCertificates();
  const issuer = [{ shortName: 'CN', value: 'ca.org1' }];
  const identity = (idBytes: Uint8Array) => ({
    getMSPID: () => 'Org1MSP',
    getID: () => '',
    getIDBytes: () => idBytes,
  });

  it('reads every OU of a subject, as a Fabric CA enrols them', async () => {
    const pem = await certificates.certificateWithNames(
      'Org1MSP',
      [
        { shortName: 'OU', value: 'org1' },
        { shortName: 'OU', value: 'admin' },
        { shortName: 'CN', value: 'boss' },
      ],
      issuer,
    );
    expect(subjectOrganizationalUnits(pem)).to.deep.equal(['org1', 'admin']);
    expect(isAdminIdentity(identity(pem))).to.equal(true);
  });

  it('is not admin for an OU that only resembles admin', async () => {
    for (const value of ['Admin', 'admin ', 'administrators', 'client']) {
      const pem = await certificates.certificateWithNames(
        'Org1MSP',
        [
          { shortName: 'OU', value },
          { shortName: 'CN', value: 'admin' },
        ],
        issuer,
      );
      expect(isAdminIdentity(identity(pem)), value).to.equal(false);
    }
  });

  it('refuses bytes that are not a certificate', () => {
    expect(() => isAdminIdentity(identity(Buffer.from('x509::/OU=admin/CN=a::/CN=ca')))).to.throw(
      DomainError,
      /UNAUTHENTICATED/,
    );
  });
});
