import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DomainError, RequestOutcome, type ClientIdentity } from '@edu-ledger/domain';
import { TransactionInvalidError, type LedgerEvent, type LedgerPort } from '../src/index.js';
import { TEST_LEDGER, openTestLedger } from '../../../test/ledgers.js';

/**
 * What every adapter of the ledger port promises, written once and run against the embedded
 * ledger (`npm test`) and a real Fabric network (`npm run test:fabric`). Assertions use only what
 * both can answer: results, stable codes, heights, locations and events.
 */
describe(`ledger port conformance (${TEST_LEDGER})`, function () {
  this.timeout(120_000);
  let dir: string;
  let ledger: LedgerPort;
  let bureauAdmin: ClientIdentity;
  let reader: ClientIdentity;
  const events: LedgerEvent[] = [];

  const bureau = (orgId = 'bureau', mspId = 'BureauMSP') => ({
    orgId,
    kind: 'bureau',
    mspId,
    name: { zh: '测试教育局', en: 'Test Bureau' },
    did: `did:web:edu.example.cn:orgs:${orgId}`,
  });

  async function refusal(promise: Promise<unknown>): Promise<DomainError> {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(DomainError);
      return error as DomainError;
    }
    throw new Error('expected a refusal');
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-conf-'));
    ledger = await openTestLedger(join(dir, 'ledger'));
    ledger.onEvent((e) => events.push(e));
    bureauAdmin = await ledger.identity('BureauMSP', 'admin@bureau', 'admin');
    reader = await ledger.identity('BureauMSP', 'gateway-reader', 'client');
  });

  after(async () => {
    await ledger?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives identities as x509 ids in their MSP, one per name', async () => {
    expect(bureauAdmin.mspId).to.equal('BureauMSP');
    expect(bureauAdmin.id).to.match(/^x509::.*CN=admin@bureau.*::.+/);
    expect(reader.id).to.not.equal(bureauAdmin.id);
  });

  it('refuses with the chaincode code itself (ORG_NOT_FOUND, not a prefix of it) and writes nothing', async () => {
    const height = await ledger.height();
    const error = await refusal(
      ledger.evaluate(reader, 'registry:GetOrganization', [JSON.stringify({ orgId: 'nowhere' })]),
    );
    expect(error.code).to.equal('ORG_NOT_FOUND');
    expect(error.message).to.match(/^ORG_NOT_FOUND: /);
    const invalid = await refusal(ledger.submit(bureauAdmin, 'registry:RegisterOrganization', ['{"x":1}']));
    expect(invalid.code).to.equal('INVALID_ARGUMENT');
    expect(await ledger.height()).to.equal(height);
  });

  it('takes the admin role from the certificate: a client identity cannot register the genesis bureau', async () => {
    const error = await refusal(
      ledger.submit(reader, 'registry:RegisterOrganization', [JSON.stringify(bureau())]),
    );
    expect(error.code).to.equal('FORBIDDEN_ROLE');
  });

  it('commits a valid transaction: result, block, location, event and height agree', async () => {
    const before = await ledger.height();
    const result = await ledger.submit(bureauAdmin, 'registry:RegisterOrganization', [
      JSON.stringify(bureau()),
    ]);
    expect(JSON.parse(result.result)).to.include({ orgId: 'bureau', mspId: 'BureauMSP' });
    expect(result.txId).to.match(/^[0-9a-f]{64}$/);
    expect(result.blockNumber).to.be.at.least(before);
    expect(await ledger.height()).to.be.greaterThan(result.blockNumber);
    expect(await ledger.locateTransaction(result.txId)).to.deep.equal({
      txId: result.txId,
      blockNumber: result.blockNumber,
      validationCode: 'VALID',
    });
    const event = events.find((e) => e.txId === result.txId);
    expect(event, 'the event reached listeners before submit resolved').to.not.equal(undefined);
    expect(event).to.deep.include({ name: 'OrganizationRegistered', blockNumber: result.blockNumber });
    expect(event?.payload).to.deep.include({ orgId: 'bureau', kind: 'bureau' });
    const read = JSON.parse(
      await ledger.evaluate(reader, 'registry:GetOrganization', [JSON.stringify({ orgId: 'bureau' })]),
    );
    expect(read).to.include({ orgId: 'bureau', registeredAt: read.registeredAt });
  });

  it('answers no location for a transaction id it never saw', async () => {
    expect(await ledger.locateTransaction('f'.repeat(64))).to.equal(undefined);
  });

  it('records the losers of a write race as MVCC conflicts that change nothing', async () => {
    // Each accreditation first reads its key (it must not exist yet) and then writes it: of
    // concurrent ones for the same id, only the first to commit still finds the key absent.
    const accredit = () =>
      ledger.submit(bureauAdmin, 'registry:Accredit', [
        JSON.stringify({
          accreditationId: 'race',
          orgId: 'bureau',
          credentialTypes: ['OpenBadgeCredential'],
          validFrom: '2026-01-01T00:00:00.000Z',
          validUntil: '2030-01-01T00:00:00.000Z',
        }),
      ]);
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map(() => accredit()));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(won.length, `exactly one racing write commits: ${lost.map(String).join('; ')}`).to.equal(1);
    expect(lost.length, 'the others conflict').to.equal(4);
    for (const error of lost) {
      expect(error).to.be.instanceOf(TransactionInvalidError);
      expect((error as TransactionInvalidError).code).to.equal('MVCC_READ_CONFLICT');
      const where = await ledger.locateTransaction((error as TransactionInvalidError).transactionId);
      expect(where?.validationCode).to.match(/MVCC_READ_CONFLICT|PHANTOM_READ_CONFLICT/);
    }
    const stored = JSON.parse(
      await ledger.evaluate(reader, 'registry:ListAccreditations', [JSON.stringify({ orgId: 'bureau' })]),
    );
    expect(stored.map((a: { accreditationId: string }) => a.accreditationId)).to.deep.equal(['race']);
  });

  it('commits a request key once: a repeat is refused with the first transaction, racing copies conflict', async () => {
    const accreditation = (id: string) => [
      JSON.stringify({
        accreditationId: id,
        orgId: 'bureau',
        credentialTypes: ['OpenBadgeCredential'],
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2030-01-01T00:00:00.000Z',
      }),
    ];
    const requestKey = 'a1'.repeat(32);
    const first = await ledger.submit(bureauAdmin, 'registry:Accredit', accreditation('once'), {
      requestKey,
    });
    const height = await ledger.height();
    // The same key refuses even another body: the key names the logical request, whatever it carries.
    for (const id of ['once', 'twice']) {
      const repeat = await refusal(
        ledger.submit(bureauAdmin, 'registry:Accredit', accreditation(id), { requestKey }),
      );
      expect(repeat.code).to.equal('DUPLICATE_REQUEST');
      expect(RequestOutcome.parse(JSON.parse(repeat.detail))).to.deep.equal({
        txId: first.txId,
        result: first.result,
      });
    }
    expect(await ledger.height(), 'a refused repeat orders nothing').to.equal(height);
    // Copies racing each other: all read the absent key, so only one can commit.
    const racing = 'b2'.repeat(32);
    const outcomes = await Promise.allSettled(
      ['r1', 'r2', 'r3'].map((id) =>
        ledger.submit(bureauAdmin, 'registry:Accredit', accreditation(id), { requestKey: racing }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    const stored = JSON.parse(
      await ledger.evaluate(reader, 'registry:ListAccreditations', [JSON.stringify({ orgId: 'bureau' })]),
    ) as { accreditationId: string }[];
    const ids = stored.map((a) => a.accreditationId).filter((id) => id !== 'race');
    expect(ids.filter((id) => id.startsWith('r'))).to.have.length(1);
    expect(ids).to.include('once').and.not.include('twice');
    const malformed = await refusal(
      ledger.submit(bureauAdmin, 'registry:Accredit', accreditation('bad'), { requestKey: 'not-hex' }),
    );
    expect(malformed.code).to.equal('INVALID_ARGUMENT');
  });

  it('pages a range to its end, and refuses a bookmark outside the query prefix', async () => {
    const list = (request: object) =>
      ledger.evaluate(reader, 'creditbank:ListCourses', [JSON.stringify({ orgId: 'bureau', ...request })]);
    // An empty last page: a peer then sends no page metadata at all.
    expect(JSON.parse(await list({ pageSize: 10 }))).to.deep.equal({ items: [], bookmark: '' });
    // A peer starts the range at whatever bookmark it is given, so the chaincode must refuse one
    // that points into another organisation's records.
    const foreign = '\u0000course\u0000school-gen\u0000c1\u0000';
    const error = await refusal(list({ pageSize: 10, bookmark: foreign }));
    expect(error.code).to.equal('INVALID_ARGUMENT');
  });

  it('passes its own chain check over every block', async () => {
    const check = await ledger.verifyChain();
    expect(check.problems).to.deep.equal([]);
    expect(check.ok).to.equal(true);
    expect(check.height).to.equal(await ledger.height());
    expect(check.lastHash).to.match(/^[0-9a-f]{64}$/);
  });
});
