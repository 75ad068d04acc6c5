import { expect } from 'chai';
import { x509Identity, type EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { call, expectRefused, freshLedger, ids, query, seedConsortium } from './support.js';

describe('registry contract', () => {
  let ledger: EmbeddedLedger;
  let clock: { now: Date };
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ ledger, clock, cleanup } = await freshLedger());
  });
  afterEach(() => cleanup());

  describe('genesis', () => {
    it('refuses a non-bureau as the first organisation', async () => {
      await expectRefused(
        ledger,
        'INVALID_STATE',
        call(ledger, ids.schoolAdmin, 'registry:RegisterOrganization', {
          orgId: 'school-gen',
          kind: 'school',
          mspId: 'SchoolGenMSP',
          name: { zh: '学校', en: 'School' },
          schoolCode: '3101010001',
          did: 'did:web:x:school',
        }),
      );
    });

    it('refuses a genesis bureau registered by a non-admin identity', async () => {
      await expectRefused(
        ledger,
        'FORBIDDEN_ROLE',
        call(ledger, ids.inspector, 'registry:RegisterOrganization', {
          orgId: 'bureau',
          kind: 'bureau',
          mspId: 'BureauMSP',
          name: { zh: '教育局', en: 'Bureau' },
          did: 'did:web:x:bureau',
        }),
      );
    });

    it('refuses a genesis bureau registered by a client certificate whose common name says admin', async () => {
      await expectRefused(
        ledger,
        'FORBIDDEN_ROLE',
        call(ledger, x509Identity('BureauMSP', 'admin@bureau', 'client'), 'registry:RegisterOrganization', {
          orgId: 'bureau',
          kind: 'bureau',
          mspId: 'BureauMSP',
          name: { zh: '教育局', en: 'Bureau' },
          did: 'did:web:x:bureau',
        }),
      );
    });

    it('identifies any caller from its certificate, registered or not', async () => {
      expect(await query(ledger, ids.stranger, 'registry:Identify')).to.deep.equal({
        ...ids.stranger,
        isAdmin: false,
      });
      expect(await query(ledger, ids.bureauAdmin, 'registry:Identify')).to.deep.equal({
        ...ids.bureauAdmin,
        isAdmin: true,
      });
    });
  });

  describe('with a seeded consortium', () => {
    beforeEach(() => seedConsortium(ledger));

    it('takes the admin role from the certificate’s OU, never from the common name', async () => {
      const clientNamedAdmin = x509Identity('SchoolGenMSP', 'admin@school-gen', 'client');
      expect(await query(ledger, clientNamedAdmin, 'registry:WhoAmI')).to.deep.include({
        roles: [],
        isMspAdmin: false,
      });
      await expectRefused(
        ledger,
        'FORBIDDEN_ROLE',
        call(ledger, clientNamedAdmin, 'registry:GrantRoles', { identityId: ids.teacher.id, roles: [] }),
      );
    });

    it('registers organisations under their bureau, with bilingual names', async () => {
      const org = (await query(ledger, ids.teacher, 'registry:GetOrganization', {
        orgId: 'school-gen',
      })) as Record<string, unknown>;
      expect(org).to.include({
        orgId: 'school-gen',
        kind: 'school',
        parentBureauId: 'bureau',
        registeredBy: 'bureau',
      });
      expect(org['name']).to.deep.equal({ zh: '示范市第一高级中学', en: 'Demo City No.1 High School' });
    });

    it('resolves roles from the MSP admin OU and on-chain grants', async () => {
      expect(await query(ledger, ids.teacher, 'registry:WhoAmI')).to.deep.include({
        orgId: 'school-gen',
        roles: ['teacher'],
        isMspAdmin: false,
      });
      expect(await query(ledger, ids.schoolAdmin, 'registry:WhoAmI')).to.deep.include({
        roles: ['school-admin'],
      });
      expect(await query(ledger, ids.inspector, 'registry:WhoAmI')).to.deep.include({ roles: ['inspector'] });
    });

    it('refuses organisations registered by a school, a duplicate id, a taken MSP, a school without code', async () => {
      const base = { kind: 'school', name: { zh: '新学校', en: 'New School' }, schoolCode: '3101010003' };
      await expectRefused(
        ledger,
        'FORBIDDEN_ROLE',
        call(ledger, ids.schoolAdmin, 'registry:RegisterOrganization', {
          ...base,
          orgId: 'school-new',
          mspId: 'NewMSP',
          did: 'did:web:x:new',
        }),
      );
      await expectRefused(
        ledger,
        'ALREADY_EXISTS',
        call(ledger, ids.bureauAdmin, 'registry:RegisterOrganization', {
          ...base,
          orgId: 'school-gen',
          mspId: 'NewMSP',
          did: 'did:web:x:new',
        }),
      );
      await expectRefused(
        ledger,
        'ALREADY_EXISTS',
        call(ledger, ids.bureauAdmin, 'registry:RegisterOrganization', {
          ...base,
          orgId: 'school-new',
          mspId: 'SchoolGenMSP',
          did: 'did:web:x:new',
        }),
      );
      await expectRefused(
        ledger,
        'INVALID_ARGUMENT',
        call(ledger, ids.bureauAdmin, 'registry:RegisterOrganization', {
          kind: 'school',
          name: { zh: '新学校', en: 'New School' },
          orgId: 'school-new',
          mspId: 'NewMSP',
          did: 'did:web:x:new',
        }),
      );
    });

    it('validates every argument and names the field without echoing values', async () => {
      const error = await ledger
        .submit(ids.bureauAdmin, 'registry:RegisterOrganization', [
          JSON.stringify({ orgId: 'Bad Id!', kind: 'x' }),
        ])
        .catch((e: unknown) => e);
      expect(String(error)).to.match(/^DomainError: INVALID_ARGUMENT: RegisterOrganization: /);
      expect(String(error)).to.contain('orgId');
      expect(String(error)).not.to.contain('Bad Id!');
      await expectRefused(
        ledger,
        'INVALID_ARGUMENT',
        ledger.submit(ids.bureauAdmin, 'registry:Accredit', ['{not json']),
      );
    });

    it('refuses role grants by non-admins, across kinds, and by strangers', async () => {
      await expectRefused(
        ledger,
        'FORBIDDEN_ROLE',
        call(ledger, ids.teacher, 'registry:GrantRoles', {
          identityId: 'x509::/CN=x::/CN=y',
          roles: ['teacher'],
        }),
      );
      await expectRefused(
        ledger,
        'INVALID_ARGUMENT',
        call(ledger, ids.schoolAdmin, 'registry:GrantRoles', {
          identityId: 'x509::/CN=x::/CN=y',
          roles: ['inspector'],
        }),
      );
      await expectRefused(
        ledger,
        'FORBIDDEN_ORG',
        call(ledger, ids.stranger, 'registry:GrantRoles', {
          identityId: 'x509::/CN=x::/CN=y',
          roles: ['teacher'],
        }),
      );
    });

    it('answers accreditation at a point in time, across suspension and reinstatement', async () => {
      const check = (at: string): Promise<unknown> =>
        query(ledger, ids.teacher, 'registry:CheckAccreditation', {
          orgId: 'school-gen',
          credentialType: 'AchievementCredential',
          at,
        });
      expect(await check('2026-06-01T00:00:00.000Z')).to.deep.include({ accredited: true });
      expect(await check('2030-06-01T00:00:00.000Z')).to.deep.include({ accredited: false });
      expect(
        await query(ledger, ids.teacher, 'registry:CheckAccreditation', {
          orgId: 'school-gen',
          credentialType: 'ClrCredential',
          at: '2026-06-01T00:00:00.000Z',
        }),
      ).to.deep.include({ accredited: false, reason: 'no accreditation for ClrCredential' });

      clock.now = new Date('2026-10-01T00:00:00.000Z');
      await call(ledger, ids.bureauAdmin, 'registry:SuspendAccreditation', {
        orgId: 'school-gen',
        accreditationId: 'acc-gen-ob3',
        reasonCode: 'under-review',
      });
      clock.now = new Date('2026-11-01T00:00:00.000Z');
      await call(ledger, ids.bureauAdmin, 'registry:ReinstateAccreditation', {
        orgId: 'school-gen',
        accreditationId: 'acc-gen-ob3',
      });
      expect(await check('2026-09-15T00:00:00.000Z')).to.deep.include({ accredited: true });
      expect(await check('2026-10-15T00:00:00.000Z')).to.deep.include({
        accredited: false,
        reason: 'accreditation suspended at that time',
      });
      expect(await check('2026-11-15T00:00:00.000Z')).to.deep.include({ accredited: true });
    });

    it('lets only the accrediting bureau change an accreditation, and not twice', async () => {
      await expectRefused(
        ledger,
        'FORBIDDEN_ROLE',
        call(ledger, ids.schoolAdmin, 'registry:SuspendAccreditation', {
          orgId: 'school-gen',
          accreditationId: 'acc-gen-ob3',
          reasonCode: 'under-review',
        }),
      );
      await expectRefused(
        ledger,
        'INVALID_STATE',
        call(ledger, ids.bureauAdmin, 'registry:ReinstateAccreditation', {
          orgId: 'school-gen',
          accreditationId: 'acc-gen-ob3',
        }),
      );
      await expectRefused(
        ledger,
        'INVALID_ARGUMENT',
        call(ledger, ids.bureauAdmin, 'registry:Accredit', {
          accreditationId: 'acc-bad',
          orgId: 'school-voc',
          credentialTypes: ['AchievementCredential'],
          validFrom: '2027-01-01T00:00:00.000Z',
          validUntil: '2026-01-01T00:00:00.000Z',
        }),
      );
    });
  });
});
