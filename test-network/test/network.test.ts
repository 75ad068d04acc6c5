import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_ROLE_BY_KIND, ROLES_BY_KIND } from '@edu-ledger/domain';
import { identityNames, render, writeConfigtx } from '../src/crypto.js';
import { BUILDER_DIR, PEER_ORGS, statePaths, topology } from '../src/topology.js';

// Checks that need no Fabric binaries: the generated configuration and the ccaas builder programs.
describe('test network definition', () => {
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'edu-tn-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('gives every node its own 127.0.0.1 ports', () => {
    const topo = topology(7050);
    const ports = [
      ...topo.orderers.flatMap((o) => [o.port, o.adminPort, o.opsPort]),
      ...topo.peers.flatMap((p) => [p.port, p.chaincodePort, p.opsPort]),
      topo.chaincodeServerPort,
    ];
    expect(new Set(ports).size).to.equal(ports.length);
    expect(topo.peers.map((p) => p.org.mspId)).to.deep.equal([
      'BureauMSP',
      'SchoolGenMSP',
      'SchoolVocMSP',
      'UniversityMSP',
      'ProviderMSP',
    ]);
  });

  it('fills every placeholder of network/configtx.yaml, and only those', () => {
    const paths = statePaths(tmp);
    writeConfigtx(paths, topology(9050));
    const configtx = readFileSync(join(paths.config, 'configtx.yaml'), 'utf8').replace(/^\s*#.*$/gm, '');
    expect(configtx).not.to.include('${');
    expect(configtx).to.include(`MSPDir: ${paths.crypto}/peerOrganizations/bureau.edu-ledger.test/msp`);
    expect(configtx).to.include('Port: 9100'); // the bureau's anchor peer
    expect(configtx).to.include('127.0.0.1:9070'); // orderer3
  });

  it('refuses a template with an unknown or an unused placeholder', () => {
    expect(() => render('a ${X}', {}, 't')).to.throw('no value for ${X}');
    expect(() => render('a', { Y: '1' }, 't')).to.throw('placeholders not found: Y');
  });

  it('issues the admin identity, every non-admin role and the gateway reader for each org', () => {
    for (const org of PEER_ORGS) {
      const names = identityNames(org);
      expect(names.get(`admin@${org.orgId}`)).to.equal('admin');
      expect(names.get('gateway-reader')).to.equal('client');
      for (const role of ROLES_BY_KIND[org.kind]) {
        if (role === ADMIN_ROLE_BY_KIND[org.kind]) expect(names.has(`${role}@${org.orgId}`)).to.equal(false);
        else expect(names.get(`${role}@${org.orgId}`)).to.equal('client');
      }
    }
  });

  describe('ccaas external builder', () => {
    const bin = (step: string) => join(BUILDER_DIR, 'bin', step);
    const runs = (step: string, ...args: string[]) => {
      try {
        execFileSync(bin(step), args, { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    };

    it('detects only chaincode-as-a-service packages', () => {
      const meta = join(tmp, 'meta');
      mkdirSync(meta);
      writeFileSync(join(meta, 'metadata.json'), '{"type": "ccaas", "label": "x_1"}');
      expect(runs('detect', join(tmp, 'src'), meta)).to.equal(true);
      writeFileSync(join(meta, 'metadata.json'), '{"type":"node","label":"x_1"}');
      expect(runs('detect', join(tmp, 'src'), meta)).to.equal(false);
    });

    it('carries connection.json from the source to chaincode/server in the release', () => {
      const [src, out, release] = ['src', 'out', 'release'].map((d) => join(tmp, d)) as [
        string,
        string,
        string,
      ];
      for (const d of [src, out, release]) mkdirSync(d);
      expect(runs('build', src, join(tmp, 'meta'), out)).to.equal(false); // no connection.json yet
      const connection = '{"address":"127.0.0.1:7190","dial_timeout":"10s","tls_required":false}';
      writeFileSync(join(src, 'connection.json'), connection);
      expect(runs('build', src, join(tmp, 'meta'), out)).to.equal(true);
      expect(runs('release', out, release)).to.equal(true);
      expect(readFileSync(join(release, 'chaincode', 'server', 'connection.json'), 'utf8')).to.equal(
        connection,
      );
    });
  });
});
