/**
 * The shape of the test network: which orgs and nodes exist, where their files live and which
 * 127.0.0.1 ports they use. Everything else derives from this one description, so changing a port
 * base or adding an org touches only this file (and network/*.yaml for the consortium itself).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrgKind } from '@edu-ledger/domain';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const NETWORK_DIR = join(REPO_ROOT, 'network');
export const BUILDER_DIR = join(NETWORK_DIR, 'ccaas-builder');

export const CHANNEL = 'edu';
/** The chaincode `up` defines; tests add more names over the same package with deployChaincode(). */
export const CHAINCODE_NAME = process.env.CHAINCODE_NAME ?? 'edu-ledger';
export const CHAINCODE_LABEL = 'edu-ledger_1';
/** Every change: the bureau (root of trust) and at least one member institution. */
export const ENDORSEMENT_POLICY =
  "AND('BureauMSP.peer', OR('SchoolGenMSP.peer','SchoolVocMSP.peer','UniversityMSP.peer','ProviderMSP.peer'))";

export interface PeerOrg {
  orgId: string;
  kind: OrgKind;
  mspId: string;
  domain: string;
  /** Placeholder prefix of the peer's port in network/configtx.yaml. */
  placeholder: string;
}

/** The app's demo consortium (gateway-api/src/seed.ts DEMO_ORGS): same orgIds, kinds and MSP ids. */
export const PEER_ORGS: readonly PeerOrg[] = [
  {
    orgId: 'bureau',
    kind: 'bureau',
    mspId: 'BureauMSP',
    domain: 'bureau.edu-ledger.test',
    placeholder: 'BUREAU',
  },
  {
    orgId: 'school-gen',
    kind: 'school',
    mspId: 'SchoolGenMSP',
    domain: 'school-gen.edu-ledger.test',
    placeholder: 'SCHOOL_GEN',
  },
  {
    orgId: 'school-voc',
    kind: 'school',
    mspId: 'SchoolVocMSP',
    domain: 'school-voc.edu-ledger.test',
    placeholder: 'SCHOOL_VOC',
  },
  {
    orgId: 'university',
    kind: 'university',
    mspId: 'UniversityMSP',
    domain: 'university.edu-ledger.test',
    placeholder: 'UNIVERSITY',
  },
  {
    orgId: 'provider',
    kind: 'provider',
    mspId: 'ProviderMSP',
    domain: 'provider.edu-ledger.test',
    placeholder: 'PROVIDER',
  },
];

export const ORDERER_MSP = 'OrdererMSP';
export const ORDERER_DOMAIN = 'orderer.edu-ledger.test';

export interface OrdererNode {
  kind: 'orderer';
  name: string;
  host: string;
  port: number;
  adminPort: number;
  opsPort: number;
}

export interface PeerNode {
  kind: 'peer';
  name: string;
  host: string;
  org: PeerOrg;
  port: number;
  chaincodePort: number;
  opsPort: number;
}

export interface Topology {
  portBase: number;
  orderers: OrdererNode[];
  peers: PeerNode[];
  chaincodeServerPort: number;
}

/**
 * Ports: orderer i at base+10i (listen, +1 admin, +2 operations), peer j at base+50+10j (listen and
 * gossip, +1 chaincode, +2 operations), the chaincode server at base+140. Default base 7050.
 */
export function topology(portBase = portBaseFromEnv()): Topology {
  const orderers = [1, 2, 3].map((n, i): OrdererNode => {
    const port = portBase + 10 * i;
    return {
      kind: 'orderer',
      name: `orderer${n}`,
      host: `orderer${n}.${ORDERER_DOMAIN}`,
      port,
      adminPort: port + 1,
      opsPort: port + 2,
    };
  });
  const peers = PEER_ORGS.map((org, j): PeerNode => {
    const port = portBase + 50 + 10 * j;
    return {
      kind: 'peer',
      name: `peer0.${org.orgId}`,
      host: `peer0.${org.domain}`,
      org,
      port,
      chaincodePort: port + 1,
      opsPort: port + 2,
    };
  });
  return { portBase, orderers, peers, chaincodeServerPort: portBase + 140 };
}

function portBaseFromEnv(): number {
  const raw = process.env.FABRIC_PORT_BASE;
  if (raw === undefined || raw === '') return 7050;
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    throw new Error(`FABRIC_PORT_BASE must be an integer between 1024 and 65000, got "${raw}"`);
  }
  return base;
}

/** Where `up` keeps everything it generates (git-ignored); override with FABRIC_STATE_DIR. */
export function stateDir(): string {
  return resolve(process.env.FABRIC_STATE_DIR ?? join(REPO_ROOT, 'test-network', '.state'));
}

/** The layout of the state dir. */
export function statePaths(root = stateDir()) {
  const crypto = join(root, 'crypto');
  return {
    root,
    crypto,
    config: join(root, 'config'),
    peerConfig: join(root, 'config', 'peer'),
    artifacts: join(root, 'artifacts'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    pids: join(root, 'pids'),
    identities: join(root, 'identities'),
    connection: join(root, 'connection.json'),
    /** Written last by `up`: its presence means the network came up completely. */
    network: join(root, 'network.json'),
    ordererOrg: join(crypto, 'ordererOrganizations', ORDERER_DOMAIN),
    peerOrg: (org: PeerOrg) => join(crypto, 'peerOrganizations', org.domain),
  };
}
export type StatePaths = ReturnType<typeof statePaths>;

export function ordererTlsCa(paths: StatePaths): string {
  return join(paths.ordererOrg, 'tlsca', `tlsca.${ORDERER_DOMAIN}-cert.pem`);
}

export function peerTlsCa(paths: StatePaths, org: PeerOrg): string {
  return join(paths.peerOrg(org), 'tlsca', `tlsca.${org.domain}-cert.pem`);
}

export function peerOrgAdminMsp(paths: StatePaths, org: PeerOrg): string {
  return join(paths.peerOrg(org), 'users', `Admin@${org.domain}`, 'msp');
}
