import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPresentation, didKeyFromSeed, signPresentation } from '@edu-ledger/credentials';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

const PERSON = {
  kind: 'student',
  name: '李小明',
  idNumber: '31010120080101123X',
  studentNumber: 'G31010120080101123',
  birthDate: '2008-01-01',
  gender: 'male',
  guardian: { name: '李建国', relation: 'father', phone: '13800138000' },
  health: '青霉素过敏 penicillin allergy',
};

/** Every personal value, plus a few fragments in other encodings a careless writer might produce. */
const NEEDLES = [
  PERSON.name,
  PERSON.idNumber,
  PERSON.studentNumber,
  PERSON.guardian.name,
  PERSON.guardian.phone,
  '青霉素过敏',
  'penicillin allergy',
  Buffer.from(PERSON.idNumber).toString('base64'),
  Buffer.from(PERSON.name).toString('hex'),
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('gateway: personal-data vault', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let schoolAdmin: string;

  beforeEach(async () => {
    gw = await startGateway();
    schoolAdmin = gw.tokens['school-admin@school-gen'] ?? '';
  });
  afterEach(() => gw.close());

  it('returns only a pseudonymous id and keeps every personal field off disk, the ledger and the log', async () => {
    const res = await gw.call('POST', '/subjects', { token: schoolAdmin, body: PERSON });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(Object.keys(res.body)).to.deep.equal(['subjectId']);
    expect(res.body.subjectId).to.match(/^subj-[0-9a-f]{32}$/);

    const read = await gw.call('GET', `/subjects/${res.body.subjectId}`, { token: schoolAdmin });
    expect(read.status).to.equal(200);
    expect(read.body.data).to.deep.include({ name: PERSON.name, idNumber: PERSON.idNumber });

    // Issue a credential for the person too, so the ledger and the credential store have content.
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(3))).did;
    const issued = await gw.call('POST', '/credentials/issue', {
      token: schoolAdmin,
      body: { ...achievementRequest(holder), options: { subjectId: res.body.subjectId } },
    });
    expect(issued.status).to.equal(201);

    // A failed request must not leak either (values in errors).
    const bad = await gw.call('POST', '/subjects', {
      token: schoolAdmin,
      body: { ...PERSON, idNumber: `${PERSON.name}X` },
    });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).not.to.contain(PERSON.name);

    await gw.services.db.db.compactRange('\x00', '\xff');
    const files = [...filesUnder(gw.dataDir), ...(await gw.ledgerFiles())];
    expect(files.length).to.be.greaterThan(5);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const needle of NEEDLES) {
        expect(bytes.includes(Buffer.from(needle)), `${needle} found in ${file}`).to.equal(false);
      }
    }
    const log = gw.logLines.join('');
    expect(log.length).to.be.greaterThan(100);
    for (const needle of NEEDLES) expect(log, `${needle} found in the log`).not.to.contain(needle);
  });

  it('refuses a second registration of the same national number', async () => {
    expect((await gw.call('POST', '/subjects', { token: schoolAdmin, body: PERSON })).status).to.equal(201);
    const again = await gw.call('POST', '/subjects', { token: schoolAdmin, body: PERSON });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('ALREADY_EXISTS');
  });

  it('lets only the registering school (or its bureau) read, with the right role', async () => {
    const { subjectId } = (await gw.call('POST', '/subjects', { token: schoolAdmin, body: PERSON })).body;
    const other = await gw.call('GET', `/subjects/${subjectId}`, {
      token: gw.tokens['school-admin@school-voc'],
    });
    expect(other.status).to.equal(403);
    expect(other.body.error.code).to.equal('FORBIDDEN_ORG');
    const verifier = await gw.call('GET', `/subjects/${subjectId}`, {
      token: gw.tokens['verifier@university'],
    });
    expect(verifier.status).to.equal(403);
    expect(verifier.body.error.code).to.equal('FORBIDDEN_ROLE');
    const anonymous = await gw.call('GET', `/subjects/${subjectId}`);
    expect(anonymous.status).to.equal(401);
    const bureau = await gw.call('GET', `/subjects/${subjectId}`, {
      token: gw.tokens['bureau-admin@bureau'],
    });
    expect(bureau.status).to.equal(200);
  });

  it('does not hand a person to another school when the stored owner is edited', async () => {
    const body = { ...PERSON, studentNumber: 'G31010120080101999', idNumber: '310101200801019990' };
    const registered = await gw.call('POST', '/subjects', { token: schoolAdmin, body });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const subjectId: string = registered.body.subjectId;
    expect((await gw.call('GET', `/subjects/${subjectId}`, { token: schoolAdmin })).status).to.equal(200);
    const row = JSON.parse((await gw.services.db.subjects.get(subjectId)) ?? '{}');
    await gw.services.db.subjects.put(subjectId, JSON.stringify({ ...row, orgId: 'school-voc' }));
    const thief = await gw.call('GET', `/subjects/${subjectId}`, {
      token: gw.tokens['school-admin@school-voc'],
    });
    expect(thief.status).to.equal(404);
    expect(JSON.stringify(thief.body)).not.to.contain(PERSON.name);
    // Put back as it was, the row is believed again.
    await gw.services.db.subjects.put(subjectId, JSON.stringify(row));
    expect((await gw.call('GET', `/subjects/${subjectId}`, { token: schoolAdmin })).status).to.equal(200);
  });

  it('crypto-shreds: after the key is destroyed the data is gone for good but anchors still verify', async () => {
    const { subjectId } = (await gw.call('POST', '/subjects', { token: schoolAdmin, body: PERSON })).body;
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(4))).did;
    const issued = await gw.call('POST', '/credentials/issue', {
      token: schoolAdmin,
      body: { ...achievementRequest(holder), options: { subjectId } },
    });
    const vc = issued.body.verifiableCredential;
    const teacherTry = await gw.call('DELETE', `/subjects/${subjectId}/key`, {
      token: gw.tokens['teacher@school-gen'],
    });
    expect(teacherTry.status).to.equal(403);
    const shred = await gw.call('DELETE', `/subjects/${subjectId}/key`, { token: schoolAdmin });
    expect(shred.status).to.equal(200);
    const read = await gw.call('GET', `/subjects/${subjectId}`, { token: schoolAdmin });
    expect(read.status).to.equal(410);
    expect(read.body.error.code).to.equal('SUBJECT_KEY_DESTROYED');
    const copy = await gw.call('GET', `/credentials/${vc.id}`, { token: schoolAdmin });
    expect(copy.status).to.equal(410);
    const verify = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    expect(verify.status).to.equal(200);
    // The same person may be registered again afterwards (the index entry went with the key).
    expect((await gw.call('POST', '/subjects', { token: schoolAdmin, body: PERSON })).status).to.equal(201);
  });
});

describe('gateway: presentations', function () {
  this.timeout(60_000);
  let gw: Gateway;

  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it('accepts a holder-signed presentation with the right challenge and refuses a replay elsewhere', async () => {
    const holder = await didKeyFromSeed(new Uint8Array(32).fill(5));
    const issued = await gw.call('POST', '/credentials/issue', {
      token: gw.tokens['school-admin@school-gen'],
      body: achievementRequest(holder.did),
    });
    const vp = await signPresentation({
      presentation: createPresentation({
        verifiableCredential: [issued.body.verifiableCredential],
        holder: holder.did,
      }),
      key: holder.key,
      challenge: 'challenge-0001-admissions',
      domain: 'admissions.demo-university.example',
      documentLoader: gw.services.documentLoader,
    });
    const ok = await gw.call('POST', '/presentations/verify', {
      body: {
        verifiablePresentation: vp,
        options: { challenge: 'challenge-0001-admissions', domain: 'admissions.demo-university.example' },
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.checks.map((c: any) => [c.check, c.status])).to.deep.equal([
      ['challenge', 'valid'],
      ['holder-binding', 'valid'],
    ]);
    expect(ok.body.credentialResults[0].verified).to.equal(true);

    const replay = await gw.call('POST', '/presentations/verify', {
      body: {
        verifiablePresentation: vp,
        options: { challenge: 'challenge-0002-employer', domain: 'admissions.demo-university.example' },
      },
    });
    expect(replay.status).to.equal(400);
    expect(replay.body.checks[0]).to.include({ check: 'challenge', status: 'invalid' });
    expect(replay.body.checks[0].reason).to.match(/CHALLENGE_MISMATCH/);
  });
});
