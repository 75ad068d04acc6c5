import { expect } from 'chai';
import { parseErrorCode } from '@edu-ledger/domain';
import { x509Identity } from '@edu-ledger/ledger-embedded';
import { K } from '../src/keys.js';
import { ShimHarness } from './shim-harness.js';
import { BUREAU_DID, SCHOOL_DID, VOC_DID, ids } from './support.js';

const keysOf = async (iterator: { next(): Promise<{ value?: { key: string }; done?: boolean }> }) => {
  const keys: string[] = [];
  for (;;) {
    const r = await iterator.next();
    if (r.value) keys.push(r.value.key);
    if (r.done) return keys;
  }
};

/**
 * A peer starts a paginated range at the bookmark the client sent, unchecked. These run the
 * contracts in fabric-shim's dispatcher over a stub that does the same, so only the chaincode's own
 * check stands between a crafted bookmark and another school's records.
 */
describe('paged queries with a crafted bookmark (chaincode, as on a peer)', () => {
  let shim: ShimHarness;
  const vocAdmin = x509Identity('SchoolVocMSP', 'admin@school-voc', 'admin');
  const plan = (inspectionId: string, schoolId: string) => ({
    inspectionId,
    schoolId,
    indicatorSystem: 'sqi-2024',
    title: { zh: '督导', en: 'Inspection' },
    plannedFor: '2026-10-01T00:00:00.000Z',
  });

  before(async () => {
    shim = await ShimHarness.create();
    const org = (orgId: string, kind: string, mspId: string, did: string, schoolCode?: string) => ({
      orgId,
      kind,
      mspId,
      did,
      schoolCode,
      name: { zh: orgId, en: orgId },
    });
    await shim.call(
      ids.bureauAdmin,
      'registry:RegisterOrganization',
      org('bureau', 'bureau', 'BureauMSP', BUREAU_DID),
    );
    await shim.call(
      ids.bureauAdmin,
      'registry:RegisterOrganization',
      org('school-gen', 'school', 'SchoolGenMSP', SCHOOL_DID, '3101010001'),
    );
    await shim.call(
      ids.bureauAdmin,
      'registry:RegisterOrganization',
      org('school-voc', 'school', 'SchoolVocMSP', VOC_DID, '3101010002'),
    );
    await shim.call(ids.bureauAdmin, 'registry:GrantRoles', {
      identityId: ids.inspector.id,
      roles: ['inspector'],
    });
    await shim.call(ids.inspector, 'inspection:PlanInspection', plan('gen-1', 'school-gen'));
    await shim.call(ids.inspector, 'inspection:PlanInspection', plan('voc-1', 'school-voc'));
  });

  it('lists a school’s own inspections page by page', async () => {
    const page = (await shim.call(vocAdmin, 'inspection:ListInspections', {
      orgId: 'school-voc',
      pageSize: 10,
    })) as {
      items: { inspectionId: string }[];
    };
    expect(page.items.map((i) => i.inspectionId)).to.deep.equal(['voc-1']);
  });

  it('reads a status list page by page to its end, an empty list included', async () => {
    const empty = await shim.call(ids.inspector, 'credentials:GetStatusList', {
      statusListId: 'school-voc.9',
    });
    expect(empty).to.deep.include({ revoked: [], suspended: [], size: 0 });
  });

  it('refuses a bookmark outside the query’s prefix that a peer would have honoured', async () => {
    const stub = await shim.stub(vocAdmin, 'inspection:ListInspections', []);
    const otherSchool = stub.createCompositeKey(K.inspection, ['school-gen']);
    // What the peer-like stub itself does with it: the other school's inspection, read from school-voc's query.
    const raw = await stub.getStateByPartialCompositeKeyWithPagination(
      K.inspection,
      ['school-voc'],
      10,
      otherSchool,
    );
    expect(await keysOf(raw.iterator)).to.include(
      stub.createCompositeKey(K.inspection, ['school-gen', 'gen-1']),
    );

    const response = await shim.invoke(vocAdmin, 'inspection:ListInspections', [
      JSON.stringify({ orgId: 'school-voc', pageSize: 10, bookmark: otherSchool }),
    ]);
    expect(response.status).to.equal(500);
    expect(parseErrorCode(response.message)?.code).to.equal('INVALID_ARGUMENT');
    expect(response.message).to.match(/bookmark/);
  });

  it('refuses the same crafted bookmark in an inspector’s audit view of a school', async () => {
    const stub = await shim.stub(ids.inspector, 'audit:SchoolRecords', []);
    const bookmark = stub.createCompositeKey(K.inspection, ['school-gen']);
    const response = await shim.invoke(ids.inspector, 'audit:SchoolRecords', [
      JSON.stringify({ orgId: 'school-voc', kind: 'inspection', bookmark }),
    ]);
    expect(parseErrorCode(response.message)?.code, response.message).to.equal('INVALID_ARGUMENT');
  });
});
