// An independent verifier: the Digital Credentials Consortium's verifier-core (what VerifierPlus and
// the Learner Credential Wallet verify with), against a real gateway on 127.0.0.1. It resolves the
// issuers' did:web documents, fetches our JSON-LD context, the status lists and the issuer registry
// (GET /registry/dcc.json, as a `dcc-legacy` registry) from the gateway over HTTP; see
// support/verifier-core.ts for how its requests reach the gateway without internet.
//
// Covered: every kind of credential the gateway signs with eddsa-rdfc-2022 — a school's Open Badges
// 3.0 achievement credential (POST /credentials/issue), the PD completion badge, the credit
// recognition credential and the growth term report.
//
// Not covered, because verifier-core 1.0.0-beta.11 cannot verify them (not because of our output):
// - vc+jwt (`options.format: "jwt"`): verifier-core has no JWT support; it wants `@context` and an
//   embedded `proof`, and answers `no_proof` for our EnvelopedVerifiableCredential.
// - ecdsa-sd-2023 (`options.selectiveDisclosure: true`, base and derived): verifier-core registers
//   only the Ed25519Signature2020 and eddsa-rdfc-2022 suites; jsonld-signatures finds no suite for
//   the proof ("insufficient proofs matched the acceptable suite(s)") and verifier-core reports
//   that as `invalid_signature`.
// vc-jwt-interop.api.test.ts checks vc+jwt with did-jwt-vc and jose; selective-disclosure.api.test.ts
// checks ecdsa-sd-2023 credentials with the gateway's own verification.
import { expect } from 'chai';
import {
  createDocumentLoader,
  didKeyFromSeed,
  EDU_V1_CONTEXT,
  issueCredential,
} from '@edu-ledger/credentials';
import {
  achievementRequest,
  completionRequest,
  registerOnLedger,
  SCHOOL_GEN,
  SCHOOL_VOC,
  startGateway,
  studentWithArchive,
  type Gateway,
} from './harness.js';
import { verifyWithCore, type CoreVerification, type KnownRegistry } from './support/verifier-core.js';

const TEACHER = `subj-${'d1'.repeat(16)}`;
const LEARNER = `subj-${'d2'.repeat(16)}`;
const YEAR = 365 * 86_400_000;
const REGISTRY_NAME = '示范市教育凭证账本 Demo City ledger';
const did = (orgId: string): string => `did:web:edu.example.cn:orgs:${orgId}`;
/** The OB 3.0 JSON Schema verifier-core's schema check fetches from 1EdTech (no internet in tests). */
const OB_SCHEMA = /^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/schema\//;

type LogEntry = NonNullable<CoreVerification['result']['log']>[number];

describe('gateway: DCC verifier-core verifies what we issue and finds the issuer in GET /registry/dcc.json', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let school: string;
  let holder: string;
  let registries: KnownRegistry[];
  let contextUrl: string;

  before(async () => {
    gw = await startGateway();
    school = gw.tokens['school-admin@school-gen'] ?? '';
    holder = (await didKeyFromSeed(new Uint8Array(32).fill(61))).did;
    registries = [{ name: REGISTRY_NAME, type: 'dcc-legacy', url: `${gw.url}/registry/dcc.json` }];
    contextUrl = `${gw.url}/contexts/edu/v1`;
  });
  after(() => gw?.close());

  const verify = (credential: unknown, known: KnownRegistry[] = registries): Promise<CoreVerification> =>
    verifyWithCore(gw.url, credential, known);
  const logEntry = ({ result }: CoreVerification, id: string): LogEntry | undefined =>
    result.log?.find((entry) => entry.id === id);

  /** An OB 3.0 badge as a school sends it, naming this deployment's context URL as the README asks. */
  function badgeRequest(name?: string, orgId = 'school-gen'): any {
    const request: any = achievementRequest(holder, name, orgId);
    request.credential['@context'] = request.credential['@context'].map((c: string) =>
      c === EDU_V1_CONTEXT ? contextUrl : c,
    );
    return request;
  }
  const issue = async (request: unknown, token = school): Promise<any> =>
    (await gw.step('POST', '/credentials/issue', token, request, 201)).verifiableCredential;

  /**
   * verifier-core's whole verdict for a credential we issued: no fatal error, a valid signature,
   * not revoked, not expired, and its issuer found in our registry (and only there) under the name
   * the registry publishes; everything it needed came from the gateway over HTTP.
   */
  async function expectVerified(label: string, vc: any, issuerOrgId: string): Promise<CoreVerification> {
    const verification = await verify(vc);
    const { result, fetched } = verification;
    expect(result.errors, `${label}: ${JSON.stringify(result.errors)}`).to.equal(undefined);
    const steps = Object.fromEntries((result.log ?? []).map((entry) => [entry.id, entry.valid]));
    expect(steps, label).to.deep.equal({
      valid_signature: true,
      revocation_status: true,
      expiration: true,
      registered_issuer: true,
    });

    const published = (await gw.call('GET', '/registry/dcc.json')).body.registry[did(issuerOrgId)];
    const matches = logEntry(verification, 'registered_issuer')?.matchingIssuers ?? [];
    expect(matches, label).to.have.length(1);
    expect(matches[0]?.issuer.federation_entity).to.deep.include({
      organization_name: published.name,
      homepage_uri: `${gw.url}/organizations/${issuerOrgId}`,
    });
    expect(matches[0]?.registry).to.deep.include({
      type: 'dcc-legacy',
      federation_entity: { organization_name: REGISTRY_NAME },
      institution_additional_information: { legacy_list: `${gw.url}/registry/dcc.json` },
    });
    expect(logEntry(verification, 'registered_issuer')?.uncheckedRegistries).to.deep.equal([]);

    // Our context, the status list and the registry came from the gateway, as JSON(-LD)...
    const urls = fetched.map((f) => f.url);
    expect(urls, label).to.include.members([
      contextUrl,
      vc.credentialStatus.statusListCredential,
      `${gw.url}/registry/dcc.json`,
    ]);
    expect(fetched.find((f) => f.url === contextUrl)?.contentType).to.match(/^application\/ld\+json/);
    // ...every request to the gateway succeeded, and nothing else was asked for but the OB 3.0 JSON
    // Schema (its schema check, reported in additionalInformation, cannot run offline).
    for (const f of fetched) {
      if (f.sentTo === undefined) expect(f.url, `${label}: refused`).to.match(OB_SCHEMA);
      else expect(f.status, `${label}: ${f.url}`).to.equal(200);
    }
    return verification;
  }

  describe('every kind of credential the gateway signs with eddsa-rdfc-2022', () => {
    it("a school's Open Badges 3.0 achievement credential (POST /credentials/issue), its did:web key from the gateway", async () => {
      const vc = await issue(badgeRequest());
      expect(vc.proof[0]).to.include({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' });
      const { fetched } = await expectVerified('achievement credential', vc, 'school-gen');
      // The issuer's key came from its did:web document, served by the gateway. (verifier-core keeps
      // resolved DIDs for the life of the process: this is the first verification of this file.)
      const didFetches = fetched.filter((f) => f.url.endsWith('/did.json'));
      expect(didFetches).to.not.be.empty;
      for (const f of didFetches) {
        expect(f).to.deep.equal({
          url: 'https://edu.example.cn/orgs/school-gen/did.json',
          sentTo: `${gw.url}/orgs/school-gen/did.json`,
          status: 200,
          contentType: 'application/json; charset=utf-8',
        });
      }
    });

    it('a PD completion badge, issued by the teacher-training provider', async () => {
      await registerOnLedger(gw, SCHOOL_GEN, TEACHER, 'teacher');
      const provider = gw.tokens['provider-admin@provider'];
      await gw.step('POST', '/pd/completions', provider, completionRequest('vcore-1', TEACHER), 201);
      await gw.step('POST', `/pd/completions/${TEACHER}/vcore-1/decision`, school, { confirm: true }, 200);
      const { verifiableCredential: vc } = await gw.step(
        'POST',
        `/pd/completions/${TEACHER}/vcore-1/credential`,
        provider,
        { holderDid: holder },
        201,
      );
      expect(vc.type).to.include('OpenBadgeCredential');
      expect(vc['@context']).to.include(contextUrl);
      await expectVerified('PD completion badge', vc, 'provider');
    });

    it('a credit recognition credential (credit bank)', async () => {
      const voc = gw.tokens['school-admin@school-voc'];
      await registerOnLedger(gw, SCHOOL_VOC, LEARNER, 'student');
      const course = (courseId: string, credits: number) => ({
        courseId,
        title: { zh: courseId, en: courseId },
        credits,
        delivery: 'online',
      });
      await gw.step('POST', '/courses', voc, course('vcore-cnc', 4), 201);
      await gw.step('POST', '/courses', school, course('vcore-tech', 2), 201);
      await gw.step(
        'POST',
        '/agreements',
        voc,
        {
          agreementId: 'vcore-gen-voc',
          partnerOrgId: 'school-gen',
          mappings: [
            {
              fromOrg: 'school-voc',
              fromCourse: 'vcore-cnc',
              toOrg: 'school-gen',
              toCourse: 'vcore-tech',
              ratio: 0.5,
            },
          ],
          capPerLearner: 4,
          validFrom: new Date(Date.now() - YEAR).toISOString(),
          validUntil: new Date(Date.now() + YEAR).toISOString(),
        },
        201,
      );
      await gw.step('POST', '/agreements/vcore-gen-voc/approve', school, undefined, 200);
      await gw.step(
        'POST',
        '/credit-bank/credits',
        gw.tokens['teacher@school-voc'],
        { creditId: 'vcore-c1', learnerId: LEARNER, courseId: 'vcore-cnc', credits: 4, term: '2026-S1' },
        201,
      );
      await gw.step(
        'POST',
        '/credit-bank/recognitions',
        voc,
        {
          recognitionId: 'vcore-r1',
          learnerId: LEARNER,
          creditId: 'vcore-c1',
          toOrg: 'school-gen',
          agreementId: 'vcore-gen-voc',
        },
        201,
      );
      await gw.step(
        'POST',
        '/credit-bank/recognitions/vcore-r1/decision',
        school,
        { learnerId: LEARNER, approve: true },
        200,
      );
      const { verifiableCredential: vc } = await gw.step(
        'POST',
        '/credit-bank/recognitions/vcore-r1/credential',
        school,
        { learnerId: LEARNER, holderDid: holder },
        201,
      );
      expect(vc.credentialSubject).to.include({ credits: 2, toInstitution: 'school-gen' });
      await expectVerified('credit recognition', vc, 'school-gen');
    });

    it('a growth term report', async () => {
      const student = {
        name: '赵小雨',
        idNumber: '310101200902021234',
        studentNumber: 'G310101200902021234',
        birthDate: '2009-02-02',
        did: holder,
      };
      const subjectId = await studentWithArchive(gw, student, [['vcore-e1', 'academic']]);
      const { verifiableCredential: vc } = await gw.step(
        'POST',
        `/archives/${subjectId}/reports`,
        school,
        { term: '2026-S1' },
        201,
      );
      expect(vc.type).to.include('GrowthTermReport');
      await expectVerified('growth term report', vc, 'school-gen');
    });
  });

  describe('what verifier-core reports', () => {
    it('sees a revocation made through POST /credentials/status; a suspension, as the README says, it cannot see', async () => {
      const vc = await issue(badgeRequest('吊销测试 Revocation test'));
      const setStatus = (status: string) =>
        gw.step(
          'POST',
          '/credentials/status',
          school,
          { credentialId: vc.id, credentialStatus: [{ type: 'BitstringStatusListCredential', status }] },
          200,
        );
      const revocation = async () => logEntry(await verify(vc), 'revocation_status');
      expect(await revocation()).to.deep.equal({ id: 'revocation_status', valid: true });

      // The named entry is the revocation list: a suspended credential's bit there is clear.
      await setStatus('suspended');
      expect(await revocation()).to.deep.equal({ id: 'revocation_status', valid: true });

      await setStatus('revoked');
      const revoked = await verify(vc);
      expect(revoked.result.errors).to.equal(undefined);
      expect(logEntry(revoked, 'revocation_status')).to.deep.equal({ id: 'revocation_status', valid: false });
      // Revoked is not forged: the signature and the issuer still check out.
      expect(logEntry(revoked, 'valid_signature')?.valid).to.equal(true);
      expect(logEntry(revoked, 'registered_issuer')?.valid).to.equal(true);
    });

    it('fails a credential changed after signing', async () => {
      const vc = await issue(badgeRequest('篡改测试 Tamper test'));
      expect(logEntry(await verify(vc), 'valid_signature')?.valid).to.equal(true);
      for (const [what, change] of [
        ['achievement name', (c: any) => (c.credentialSubject.achievement.name = '校长奖 Principal award')],
        ['credits earned', (c: any) => (c.credentialSubject.creditsEarned = 20)],
        ['holder', (c: any) => (c.credentialSubject.id = 'did:example:someone-else')],
        ['validFrom', (c: any) => (c.validFrom = '2020-01-01T00:00:00Z')],
      ] as const) {
        const tampered = structuredClone(vc);
        change(tampered);
        const { result } = await verify(tampered);
        expect(result.errors, what).to.deep.equal([
          { name: 'invalid_signature', message: 'The signature is not valid.' },
        ]);
        expect(result.log, what).to.equal(undefined);
      }
    });

    it('reports an issuer outside our registry as not registered, with our registry read', async () => {
      // 1. Signed by a did:key no registry lists: intact, so the signature holds.
      const stranger = (await didKeyFromSeed(new Uint8Array(32).fill(62))).key;
      const { credential } = badgeRequest('自签徽章 Self-issued badge');
      const selfIssued = await issueCredential({
        credential: {
          ...credential,
          id: 'urn:uuid:5c1e0000-0000-4000-8000-0000000000d1',
          issuer: stranger.controller,
        },
        key: stranger,
        documentLoader: createDocumentLoader(),
      });
      const strangerResult = await verify(selfIssued);
      expect(strangerResult.result.errors).to.equal(undefined);
      expect(logEntry(strangerResult, 'valid_signature')?.valid).to.equal(true);
      expect(logEntry(strangerResult, 'registered_issuer')).to.deep.equal({
        id: 'registered_issuer',
        valid: false,
        matchingIssuers: [],
        // Conclusive: our registry was read, and the issuer is not in it.
        uncheckedRegistries: [],
      });
      expect(strangerResult.fetched.map((f) => f.url)).to.include(`${gw.url}/registry/dcc.json`);

      // 2. A member whose accreditation is suspended leaves the registry at once, and verifier-core,
      // which reads the registry on every verification, says so; reinstated, it is registered again.
      const vocBadge = await issue(
        badgeRequest('职校徽章 Vocational badge', 'school-voc'),
        gw.tokens['school-admin@school-voc'],
      );
      const registered = async () => logEntry(await verify(vocBadge), 'registered_issuer')?.valid;
      expect(await registered()).to.equal(true);
      const bureau = await gw.ledger.identity('BureauMSP', 'admin@bureau', 'admin');
      await gw.services.chaincode.submit(bureau, 'registry:SuspendAccreditation', {
        orgId: 'school-voc',
        accreditationId: 'school-voc-ob3',
        reasonCode: 'under-review',
      });
      try {
        const suspended = await verify(vocBadge);
        expect(suspended.result.errors).to.equal(undefined);
        expect(logEntry(suspended, 'valid_signature')?.valid).to.equal(true);
        expect(logEntry(suspended, 'registered_issuer')).to.deep.include({
          valid: false,
          matchingIssuers: [],
          uncheckedRegistries: [],
        });
      } finally {
        await gw.services.chaincode.submit(bureau, 'registry:ReinstateAccreditation', {
          orgId: 'school-voc',
          accreditationId: 'school-voc-ob3',
        });
      }
      expect(await registered()).to.equal(true);
    });

    it('names a registry it could not read as unchecked, beside ours that it read', async () => {
      const vc = await issue(badgeRequest('两个注册表 Two registries'));
      const unreachable: KnownRegistry = {
        name: 'Another consortium',
        type: 'dcc-legacy',
        url: 'https://registry.other-consortium.example/registry.json',
      };
      const verification = await verify(vc, [...registries, unreachable]);
      const step = logEntry(verification, 'registered_issuer');
      expect(step?.valid).to.equal(true);
      expect(step?.matchingIssuers?.map((m) => m.registry.federation_entity.organization_name)).to.deep.equal(
        [REGISTRY_NAME],
      );
      expect(step?.uncheckedRegistries).to.deep.equal([unreachable]);
    });

    it('cannot check a badge naming the original context URL https://edu-ledger.example/contexts/edu/v1, which nobody serves', async () => {
      // The gateway verifies such a badge from its bundled copy (README, "Our JSON-LD context"); a
      // verifier on the web must dereference the URL, and verifier-core reports its failure to as a
      // bad signature.
      const vc = await issue(achievementRequest(holder, '旧上下文 Original context URL'));
      expect(vc['@context']).to.include(EDU_V1_CONTEXT);
      expect(
        (await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } })).status,
      ).to.equal(200);
      const { result, fetched } = await verify(vc);
      expect(result.errors).to.deep.equal([
        { name: 'invalid_signature', message: 'The signature is not valid.' },
      ]);
      expect(fetched.map((f) => f.url)).to.include(EDU_V1_CONTEXT);
      expect(fetched.find((f) => f.url === EDU_V1_CONTEXT)?.sentTo).to.equal(undefined);
    });
  });
});
