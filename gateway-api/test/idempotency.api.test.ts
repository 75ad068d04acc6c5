import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { achievementRequest, startGateway, studentWithArchive, type Gateway } from './harness.js';

/**
 * `Idempotency-Key` on write routes, against both ledgers: a retry of a request that succeeded is
 * answered with the first outcome and writes nothing; a key sent with another request is refused.
 * (Retries after a kill between the ledger's commit and the answer: two-stores.test.ts and
 * `npm run test:fabric:faults`.)
 */
describe('gateway: retries with an Idempotency-Key', function () {
  this.timeout(180_000);
  let gw: Gateway;
  let teacher: string;
  let registrar: string;
  let subjectId: string;
  const holder = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

  before(async () => {
    gw = await startGateway();
    teacher = gw.tokens['teacher@school-gen'] ?? '';
    registrar = gw.tokens['school-admin@school-gen'] ?? '';
    subjectId = await studentWithArchive(
      gw,
      {
        name: '李雷',
        idNumber: '110101200902023456',
        studentNumber: 'G110101200902023456',
        birthDate: '2009-02-02',
        did: holder,
      },
      [],
    );
  });
  after(() => gw.close());

  const entry = (entryId: string, text = '期中测验优秀'): Record<string, unknown> => ({
    entryId,
    term: '2026-S1',
    dimensionId: 'academic',
    content: { text },
  });

  const post = (path: string, token: string, body: unknown, key?: string) =>
    gw.call('POST', path, { token, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

  async function entriesNamed(entryId: string): Promise<number> {
    const read = await gw.call('GET', `/archives/${subjectId}`, { token: teacher });
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    return read.body.entries.filter((e: { entryId: string }) => e.entryId === entryId).length;
  }

  it('answers a repeated growth entry with the first outcome and writes nothing more', async () => {
    const key = `entry-${randomUUID()}`;
    const path = `/archives/${subjectId}/entries`;
    const first = await post(path, teacher, entry('idem-1'), key);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const height = await gw.ledger.height();
    const again = await post(path, teacher, entry('idem-1'), key);
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect(await gw.ledger.height(), 'the retry ordered nothing').to.equal(height);
    expect(await entriesNamed('idem-1')).to.equal(1);
    // Without a key the same body is a second write, which the chaincode refuses as before.
    const plain = await post(path, teacher, entry('idem-1'));
    expect(plain.status).to.equal(409);
    expect(plain.body.error.code).to.equal('ALREADY_EXISTS');
  });

  it('commits concurrent copies of one request once, and answers each with that commit', async () => {
    const key = `entry-${randomUUID()}`;
    const path = `/archives/${subjectId}/entries`;
    const answers = await Promise.all([1, 2, 3].map(() => post(path, teacher, entry('idem-2'), key)));
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).to.equal(1);
    expect(await entriesNamed('idem-2')).to.equal(1);
  });

  it('issues one credential for a repeated issuance, and serves the same one again', async () => {
    const key = randomUUID();
    const first = await post('/credentials/issue', registrar, achievementRequest(holder), key);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const height = await gw.ledger.height();
    const again = await post('/credentials/issue', registrar, achievementRequest(holder), key);
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.verifiableCredential.id).to.equal(first.body.verifiableCredential.id);
    expect(again.body).to.deep.equal(first.body);
    expect(await gw.ledger.height(), 'nothing anchored twice').to.equal(height);
    const verified = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: again.body.verifiableCredential },
    });
    expect(verified.body.verified, JSON.stringify(verified.body)).to.equal(true);
  });

  it('refuses a key sent with another body (422) or by another caller as a new request', async () => {
    const key = `entry-${randomUUID()}`;
    const path = `/archives/${subjectId}/entries`;
    await gw.step('POST', path, teacher, entry('idem-3'), 201);
    const first = await post(path, teacher, entry('idem-4'), key);
    expect(first.status).to.equal(201);
    const height = await gw.ledger.height();
    const reused = await post(path, teacher, entry('idem-5'), key);
    expect(reused.status).to.equal(422);
    expect(reused.body.error.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    expect(reused.body.error.message).to.match(/[\u4e00-\u9fff]/);
    expect(await gw.ledger.height()).to.equal(height);
    expect(await entriesNamed('idem-5')).to.equal(0);
    // The key is the caller's own: another caller's same key names another request.
    const other = await post('/credentials/issue', registrar, achievementRequest(holder), key);
    expect(other.status, JSON.stringify(other.body)).to.equal(201);
  });

  it('refuses a malformed key with 400 before anything runs', async () => {
    const height = await gw.ledger.height();
    for (const key of ['has space', 'x'.repeat(201), 'semi;colon', '']) {
      const res = await gw.call('POST', `/archives/${subjectId}/entries`, {
        token: teacher,
        body: entry('idem-6'),
        headers: { 'idempotency-key': key },
      });
      expect(res.status, key).to.equal(400);
      expect(res.body.error.code).to.equal('INVALID_ARGUMENT');
    }
    expect(await gw.ledger.height()).to.equal(height);
  });
});
