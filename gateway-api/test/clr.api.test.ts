import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { clrSchemaProblems, openBadgeSchemaProblems } from '../../test/open-badges-schema.js';
import { SCHOOL_VOC, registerOnLedger, startGateway, studentWithArchive, type Gateway } from './harness.js';

const LEARNER = `subj-${'c1'.repeat(16)}`;
const YEAR = 365 * 86_400_000;

/** Issue 13: the whole growth archive and a credit-bank statement as CLR 2.0 ClrCredentials. */
describe('gateway: CLR 2.0 credentials (growth archive, credit-bank statement)', function () {
  this.timeout(90_000);
  let gw: Gateway;
  let gen: string;
  let voc: string;
  let holderDid: string;

  before(async () => {
    gw = await startGateway();
    gen = gw.tokens['school-admin@school-gen'] ?? '';
    voc = gw.tokens['school-admin@school-voc'] ?? '';
    holderDid = (await didKeyFromSeed(new Uint8Array(32).fill(61))).did;
  });
  after(() => gw.close());

  const verify = async (credential: unknown): Promise<any> =>
    (await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: credential } })).body;

  describe('the whole growth archive', () => {
    let subjectId: string;
    let clr: any;

    before(async () => {
      subjectId = await studentWithArchive(
        gw,
        {
          name: '赵磊',
          idNumber: '310101200905051234',
          studentNumber: 'G310101200905051234',
          birthDate: '2009-05-05',
          did: holderDid,
        },
        [
          ['clr-1', 'academic'],
          ['clr-2', 'moral'],
        ],
      );
      await gw.step(
        'POST',
        `/archives/${subjectId}/entries`,
        gw.tokens['teacher@school-gen'],
        { entryId: 'clr-3', term: '2026-S2', dimensionId: 'academic', content: { text: '第二学期记录' } },
        201,
      );
      clr = (await gw.step('POST', `/archives/${subjectId}/reports`, gen, { format: 'clr' }, 201))
        .verifiableCredential;
    });

    it('is a ClrCredential that meets the CLR 2.0 schema, one Open Badges credential per term inside', () => {
      expect(clr.type).to.deep.equal(['VerifiableCredential', 'ClrCredential']);
      expect(clr.proof).to.be.an('array').with.length(1);
      expect(clrSchemaProblems(clr)).to.deep.equal([]);
      const inner = clr.credentialSubject.verifiableCredential;
      expect(inner).to.have.length(2);
      expect(inner.map((vc: any) => vc.credentialSubject.term)).to.deep.equal(['2026-S1', '2026-S2']);
      for (const vc of inner) {
        expect(openBadgeSchemaProblems(vc)).to.deep.equal([]);
        expect(vc.credentialSubject.id).to.equal(holderDid);
        expect(vc.proof).to.have.length(1);
        expect(vc.proof[0]).to.include({ cryptosuite: 'eddsa-rdfc-2022' });
      }
      const s1 = inner[0].credentialSubject.dimensionResults;
      expect(s1.map((d: any) => d.dimension)).to.have.members(['academic', 'moral']);
      expect(inner[1].credentialSubject.dimensionResults[0].entries[0].text).to.equal('第二学期记录');
    });

    it('names the archive and each term as achievements, each term part of the archive and preceding the next', () => {
      const ids = clr.credentialSubject.achievement.map((a: any) => a.id);
      const [s1, s2] = clr.credentialSubject.verifiableCredential.map(
        (vc: any) => vc.credentialSubject.achievement.id,
      );
      const archive = ids.find((id: string) => id !== s1 && id !== s2);
      expect(ids).to.include.members([s1, s2, archive]);
      expect(clr.credentialSubject.association).to.deep.include.members([
        { type: 'Association', associationType: 'isPartOf', sourceId: s1, targetId: archive },
        { type: 'Association', associationType: 'isPartOf', sourceId: s2, targetId: archive },
        { type: 'Association', associationType: 'precedes', sourceId: s1, targetId: s2 },
      ]);
    });

    it('verifies as a whole, and each credential inside verifies on its own (all anchored)', async () => {
      const whole = await verify(clr);
      expect(whole, JSON.stringify(whole.checks)).to.include({ verified: true, outcome: 'trusted' });
      for (const vc of clr.credentialSubject.verifiableCredential) {
        const part = await verify(vc);
        expect(part, JSON.stringify(part.checks)).to.include({ verified: true, outcome: 'trusted' });
      }
    });

    it('is the archive’s one live report: another is refused with nothing anchored, unless it supersedes', async () => {
      const before = await gw.ledger.height();
      await gw.step('POST', `/archives/${subjectId}/reports`, gen, { format: 'clr' }, 409, 'ALREADY_EXISTS');
      await gw.step('POST', `/archives/${subjectId}/reports`, gen, {}, 409, 'ALREADY_EXISTS');
      expect(await gw.ledger.height()).to.equal(before);

      const next = (
        await gw.step('POST', `/archives/${subjectId}/reports`, gen, { format: 'clr', supersede: true }, 201)
      ).verifiableCredential;
      expect((await verify(next)).verified).to.equal(true);
      const old = await verify(clr);
      expect(old.verified).to.equal(false);
      expect(old.checks.find((c: any) => c.check === 'status')).to.include({ status: 'invalid' });
      // The term records inside the old CLR stay true statements of the school.
      expect((await verify(clr.credentialSubject.verifiableCredential[0])).verified).to.equal(true);
    });

    it('refuses a term or selective disclosure with a CLR', async () => {
      await gw.step(
        'POST',
        `/archives/${subjectId}/reports`,
        gen,
        { format: 'clr', term: '2026-S1' },
        400,
        'INVALID_ARGUMENT',
      );
      await gw.step(
        'POST',
        `/archives/${subjectId}/reports`,
        gen,
        { format: 'clr', selectiveDisclosure: true },
        400,
        'INVALID_ARGUMENT',
      );
    });

    it('is refused when its signature no longer matches what it says', async () => {
      const tampered = structuredClone(clr);
      tampered.credentialSubject.verifiableCredential[0].credentialSubject.term = '2025-S1';
      const result = await verify(tampered);
      expect(result.verified).to.equal(false);
      expect(result.checks.find((c: any) => c.check === 'signature')).to.include({ status: 'invalid' });
    });
  });

  describe("a learner's credit-bank statement", () => {
    before(async () => {
      await registerOnLedger(gw, SCHOOL_VOC, LEARNER, 'student');
      const post = (path: string, token: string, body: unknown, status = 201): Promise<any> =>
        gw.step('POST', path, token, body, status);
      const course = (courseId: string, zh: string, en: string, credits: number) => ({
        courseId,
        title: { zh, en },
        credits,
        delivery: 'offline',
      });
      await post('/courses', voc, course('clr-cnc', '数控加工', 'CNC machining', 4));
      await post('/courses', gen, course('clr-tech', '通用技术', 'General technology', 2));
      await post('/agreements', voc, {
        agreementId: 'clr-gen-voc',
        partnerOrgId: 'school-gen',
        mappings: [
          {
            fromOrg: 'school-voc',
            fromCourse: 'clr-cnc',
            toOrg: 'school-gen',
            toCourse: 'clr-tech',
            ratio: 0.5,
          },
        ],
        capPerLearner: 4,
        validFrom: new Date(Date.now() - YEAR).toISOString(),
        validUntil: new Date(Date.now() + YEAR).toISOString(),
      });
      await post('/agreements/clr-gen-voc/approve', gen, undefined, 200);
      await post('/credit-bank/credits', gw.tokens['teacher@school-voc'] ?? '', {
        creditId: 'clr-c1',
        learnerId: LEARNER,
        courseId: 'clr-cnc',
        credits: 4,
        term: '2026-S1',
      });
      await post('/credit-bank/recognitions', voc, {
        recognitionId: 'clr-r1',
        learnerId: LEARNER,
        creditId: 'clr-c1',
        toOrg: 'school-gen',
        agreementId: 'clr-gen-voc',
      });
      await post(
        '/credit-bank/recognitions/clr-r1/decision',
        gen,
        { learnerId: LEARNER, approve: true },
        200,
      );
    });

    it('the awarding institution vouches for the credits earned with it', async () => {
      const clr = (await gw.step('POST', `/credit-bank/learners/${LEARNER}/clr`, voc, { holderDid }, 201))
        .verifiableCredential;
      expect(clrSchemaProblems(clr)).to.deep.equal([]);
      const [earned, ...rest] = clr.credentialSubject.verifiableCredential;
      expect(rest).to.have.length(0);
      expect(earned.credentialSubject).to.include({ creditsEarned: 4, term: '2026-S1' });
      expect(earned.credentialSubject.achievement).to.include({
        achievementType: 'Course',
        humanCode: 'clr-cnc',
      });
      expect(await verify(clr)).to.include({ verified: true, outcome: 'trusted' });
    });

    it('the recognising institution vouches for the recognition, related to the course it stands on', async () => {
      const clr = (await gw.step('POST', `/credit-bank/learners/${LEARNER}/clr`, gen, { holderDid }, 201))
        .verifiableCredential;
      expect(clrSchemaProblems(clr)).to.deep.equal([]);
      const [recognised] = clr.credentialSubject.verifiableCredential;
      expect(recognised.credentialSubject).to.include({
        creditsEarned: 2,
        fromInstitution: 'school-voc',
        toInstitution: 'school-gen',
        agreementId: 'clr-gen-voc',
      });
      const [association] = clr.credentialSubject.association;
      expect(association).to.include({ associationType: 'isRelatedTo' });
      expect(association.sourceId).to.match(/\/school-gen\/clr-tech$/);
      expect(association.targetId).to.match(/\/school-voc\/clr-cnc$/);
      expect(clr.credentialSubject.achievement.map((a: any) => a.id)).to.include(association.targetId);
      expect(await verify(clr)).to.include({ verified: true, outcome: 'trusted' });
    });

    it('an institution the learner has nothing at may not issue one', async () => {
      const before = await gw.ledger.height();
      await gw.step(
        'POST',
        `/credit-bank/learners/${LEARNER}/clr`,
        gw.tokens['school-admin@university'],
        { holderDid },
        403,
        'FORBIDDEN_ORG',
      );
      expect(await gw.ledger.height()).to.equal(before);
    });
  });
});
