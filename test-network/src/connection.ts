/**
 * .state/connection.json: everything a client needs to reach the network, with absolute paths.
 * Endpoints are 127.0.0.1 (every TLS certificate carries that address as a SAN); hostAlias is the
 * node's TLS host name, for clients that prefer to verify it via grpc.ssl_target_name_override.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNEL, ordererTlsCa, peerTlsCa, type StatePaths, type Topology } from './topology.js';

export interface Endpoint {
  endpoint: string;
  hostAlias: string;
  tlsRootCert: string;
}

export interface ConnectionProfile {
  channel: string;
  chaincode: string;
  orgs: Record<string, { mspId: string; peer: Endpoint; identitiesDir: string }>;
  orderers: Endpoint[];
}

export function connectionProfile(paths: StatePaths, topo: Topology, chaincode: string): ConnectionProfile {
  const orgs: ConnectionProfile['orgs'] = {};
  for (const p of topo.peers) {
    orgs[p.org.mspId] = {
      mspId: p.org.mspId,
      peer: { endpoint: `127.0.0.1:${p.port}`, hostAlias: p.host, tlsRootCert: peerTlsCa(paths, p.org) },
      identitiesDir: join(paths.identities, p.org.mspId),
    };
  }
  const orderers = topo.orderers.map((o) => ({
    endpoint: `127.0.0.1:${o.port}`,
    hostAlias: o.host,
    tlsRootCert: ordererTlsCa(paths),
  }));
  return { channel: CHANNEL, chaincode, orgs, orderers };
}

export function writeConnectionProfile(paths: StatePaths, topo: Topology, chaincode: string): string {
  writeFileSync(paths.connection, `${JSON.stringify(connectionProfile(paths, topo, chaincode), null, 2)}\n`);
  return paths.connection;
}
