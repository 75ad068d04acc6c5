import { expect } from 'chai';
import { ERROR_CODES, parseErrorCode } from '@edu-ledger/domain';
import { x509Identity } from '@edu-ledger/ledger-embedded';
import { contracts, declaredTransactions } from '../src/index.js';
import { ShimHarness } from './shim-harness.js';

/** What fabric-shim itself says when the metadata and the call disagree; none may reach a client. */
const SHIM_REFUSALS = [/Expected \d+ parameters/, /not properly specified/, /does not exist/, /not known/];

const bureauAdmin = x509Identity('BureauMSP', 'admin@bureau', 'admin');
/** A client whose common name says admin: the certificate's OU decides, and it says client. */
const bureauClientNamedAdmin = x509Identity('BureauMSP', 'admin@bureau', 'client');

describe('contracts through fabric-shim’s own dispatcher', () => {
  let shim: ShimHarness;
  before(async () => {
    shim = await ShimHarness.create();
  });
  const invoke = (...args: Parameters<ShimHarness['invoke']>) => shim.invoke(...args);

  it('registers the genesis bureau with an admin certificate, and refuses a client named admin', async () => {
    const request = JSON.stringify({
      orgId: 'bureau',
      kind: 'bureau',
      mspId: 'BureauMSP',
      name: { zh: '示范市教育局', en: 'Demo City Education Bureau' },
      did: 'did:web:edu.example.cn:orgs:bureau',
    });
    const refused = await invoke(bureauClientNamedAdmin, 'registry:RegisterOrganization', [request]);
    expect(refused.status).to.equal(500);
    expect(parseErrorCode(refused.message)?.code).to.equal('FORBIDDEN_ROLE');
    const registered = await invoke(bureauAdmin, 'registry:RegisterOrganization', [request]);
    expect(registered.status, registered.message).to.equal(200);
    expect(JSON.parse(registered.payload)).to.include({ orgId: 'bureau', kind: 'bureau' });
  });

  it('identifies the caller as fabric-shim’s ClientIdentity reads the certificate', async () => {
    const admin = await invoke(bureauAdmin, 'registry:Identify', []);
    expect(JSON.parse(admin.payload)).to.deep.equal({ ...bureauAdmin, isAdmin: true });
    const client = await invoke(bureauClientNamedAdmin, 'registry:Identify', []);
    expect(JSON.parse(client.payload)).to.deep.equal({ ...bureauClientNamedAdmin, isAdmin: false });
  });

  it('is not fooled by a common name that imitates an OU in the getID() text', async () => {
    // fabric-shim escapes only a value's first '/', so this client's id reads `.../CN=x\/OU=admin::...`.
    const idBytes = await shim.certificates.certificateWithNames(
      'BureauMSP',
      [
        { shortName: 'OU', value: 'client' },
        { shortName: 'CN', value: 'x/OU=admin' },
      ],
      [{ shortName: 'CN', value: 'ca.bureaumsp' }],
    );
    const identified = JSON.parse(
      (await invoke({ mspid: 'BureauMSP', idBytes }, 'registry:Identify', [])).payload,
    );
    expect(identified.id).to.match(/OU=admin::/);
    expect(identified.isAdmin).to.equal(false);
  });

  it('reaches the method of every declared transaction of every contract', async () => {
    let reached = 0;
    for (const Contract of contracts) {
      const contract = new Contract();
      const declared = declaredTransactions(contract);
      expect(declared, contract.getName()).to.not.be.empty;
      for (const tx of declared) {
        const fn = `${contract.getName()}:${tx.name}`;
        // The arguments a caller passes are the method's own parameters after the context, whatever
        // the metadata says; each is a JSON request, and an empty one reaches the method, which refuses it.
        const method: unknown = Reflect.get(contract, tx.name);
        const arity = typeof method === 'function' ? method.length - 1 : 0;
        const response = await invoke(
          bureauAdmin,
          fn,
          Array.from({ length: arity }, () => '{}'),
        );
        for (const refusal of SHIM_REFUSALS) expect(response.message, fn).to.not.match(refusal);
        if (response.status !== 200) {
          expect(ERROR_CODES, `${fn}: ${response.message}`).to.include(
            parseErrorCode(response.message)?.code,
          );
        }
        reached++;
      }
    }
    expect(reached).to.be.greaterThan(60);
  });

  it('lets the shim refuse a call whose arguments do not match the declared parameters', async () => {
    const missing = await invoke(bureauAdmin, 'registry:GetOrganization', []);
    expect(missing.message).to.match(/Expected 1 parameters, but 0 have been supplied/);
    const extra = await invoke(bureauAdmin, 'registry:Identify', ['{}']);
    expect(extra.message).to.match(/Expected 0 parameters, but 1 have been supplied/);
  });
});
