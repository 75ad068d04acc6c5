/**
 * Key material and generated configuration: cryptogen for the nodes and org CAs, openssl for the
 * app's client identities, and the per-network copies of configtx.yaml and core.yaml.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_ROLE_BY_KIND, ROLES_BY_KIND } from '@edu-ledger/domain';
import type { FabricInstall } from './build.js';
import { run, StepError } from './proc.js';
import {
  BUILDER_DIR,
  NETWORK_DIR,
  PEER_ORGS,
  type PeerOrg,
  type StatePaths,
  type Topology,
} from './topology.js';

export async function generateCrypto(fabric: FabricInstall, paths: StatePaths): Promise<void> {
  await run(
    fabric.bin('cryptogen'),
    ['generate', `--config=${join(NETWORK_DIR, 'crypto-config.yaml')}`, `--output=${paths.crypto}`],
    { step: 'generate crypto material (cryptogen)' },
  );
}

/** Replaces every ${NAME} in `template`; an unknown or unused name is an error, not a silent gap. */
export function render(template: string, values: Readonly<Record<string, string>>, what: string): string {
  const used = new Set<string>();
  const out = template.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new StepError(`render ${what}`, `no value for \${${name}}`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0)
    throw new StepError(`render ${what}`, `placeholders not found: ${unused.join(', ')}`);
  return out;
}

/**
 * Block cutting, from FABRIC_BATCH_TIMEOUT (a Go duration such as `100ms` or `1s`) and
 * FABRIC_BATCH_MAX_MESSAGES; the defaults are the test network's (see network/configtx.yaml).
 * Checked here, so a typo fails `up` with the variable's name rather than inside configtxgen.
 */
export function batchSettings(env: NodeJS.ProcessEnv = process.env): {
  BATCH_TIMEOUT: string;
  BATCH_MAX_MESSAGES: string;
} {
  const timeout = env.FABRIC_BATCH_TIMEOUT || '100ms';
  const maxMessages = env.FABRIC_BATCH_MAX_MESSAGES || '200';
  if (!/^\d+(\.\d+)?(ms|s)$/.test(timeout)) {
    throw new StepError(
      'render network/configtx.yaml',
      `FABRIC_BATCH_TIMEOUT must look like 100ms or 2s, got "${timeout}"`,
    );
  }
  if (!/^\d+$/.test(maxMessages) || Number(maxMessages) < 1 || Number(maxMessages) > 10_000) {
    throw new StepError(
      'render network/configtx.yaml',
      `FABRIC_BATCH_MAX_MESSAGES must be an integer from 1 to 10000, got "${maxMessages}"`,
    );
  }
  return { BATCH_TIMEOUT: timeout, BATCH_MAX_MESSAGES: maxMessages };
}

/** network/configtx.yaml with this network's crypto dir, ports and block cutting filled in. */
export function writeConfigtx(paths: StatePaths, topo: Topology): string {
  const values: Record<string, string> = { CRYPTO: paths.crypto, ...batchSettings() };
  topo.orderers.forEach((o, i) => (values[`ORDERER${i + 1}_PORT`] = String(o.port)));
  for (const peer of topo.peers) values[`${peer.org.placeholder}_PEER_PORT`] = String(peer.port);
  const template = readFileSync(join(NETWORK_DIR, 'configtx.yaml'), 'utf8');
  mkdirSync(paths.config, { recursive: true });
  writeFileSync(join(paths.config, 'configtx.yaml'), render(template, values, 'network/configtx.yaml'));
  return paths.config;
}

/**
 * The peers' core.yaml: Fabric's sample with two changes that environment variables cannot make
 * (viper ignores empty variables, and externalBuilders is a list): no Docker endpoint (there is no
 * Docker here, and a configured one would fail the peer's /healthz) and our ccaas builder.
 * Everything per-peer (ports, MSP, TLS, data dir) is set through CORE_* variables at start.
 */
export function writeCoreYaml(fabric: FabricInstall, paths: StatePaths): string {
  let core = readFileSync(join(fabric.configDir, 'core.yaml'), 'utf8');
  core = replaceOnce(core, /^( {2}endpoint:) unix:\/\/\/var\/run\/docker\.sock$/m, '$1 ""');
  core = replaceOnce(
    core,
    /^( {4}- name:) ccaas_builder\n( {6}path:) \/opt\/hyperledger\/ccaas_builder$/m,
    `$1 edu-ccaas\n$2 ${BUILDER_DIR}`,
  );
  mkdirSync(paths.peerConfig, { recursive: true });
  writeFileSync(join(paths.peerConfig, 'core.yaml'), core);
  return paths.peerConfig;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) {
    throw new StepError(
      'write core.yaml',
      `Fabric's sampleconfig/core.yaml no longer matches ${String(pattern)}`,
    );
  }
  return text.replace(pattern, replacement);
}

/** The client identities of one org: name -> NodeOU. */
export function identityNames(org: PeerOrg): Map<string, 'admin' | 'client'> {
  const names = new Map<string, 'admin' | 'client'>([[`admin@${org.orgId}`, 'admin']]);
  // The admin role is held by the MSP admin identity (admin@<orgId>, NodeOU admin), as the gateway's
  // identityForRole expects; every other role is an on-chain grant to a client identity.
  for (const role of ROLES_BY_KIND[org.kind]) {
    if (role !== ADMIN_ROLE_BY_KIND[org.kind]) names.set(`${role}@${org.orgId}`, 'client');
  }
  names.set('gateway-reader', 'client');
  return names;
}

/** Issues every org's client identities with openssl, signed by the org's cryptogen CA. */
export async function issueIdentities(paths: StatePaths): Promise<void> {
  await Promise.all(
    PEER_ORGS.map(async (org) => {
      for (const [name, ou] of identityNames(org)) await issueIdentity(paths, org, name, ou);
    }),
  );
}

async function issueIdentity(
  paths: StatePaths,
  org: PeerOrg,
  name: string,
  ou: 'admin' | 'client',
): Promise<void> {
  const caDir = join(paths.peerOrg(org), 'ca');
  const caCert = join(caDir, `ca.${org.domain}-cert.pem`);
  const caKey = join(caDir, readdirSync(caDir).find((f) => f.endsWith('_sk')) ?? 'priv_sk');
  const dir = join(paths.identities, org.mspId, name);
  mkdirSync(dir, { recursive: true });
  const step = `issue identity ${org.mspId}/${name}`;
  const key = join(dir, 'key.pem');
  const csr = join(dir, 'csr.pem');
  // ECDSA P-256, PKCS#8 key (what Node's crypto and fabric-gateway's signers read).
  await run(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
    ].concat(['-subj', `/OU=${ou}/CN=${name}`, '-out', csr]),
    { step },
  );
  const ext = join(dir, 'ext.cnf');
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ].join('\n'),
  );
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
    ].concat(['-days', '365', '-sha256', '-extfile', ext, '-out', join(dir, 'cert.pem')]),
    { step },
  );
  rmSync(csr);
  rmSync(ext);
}
