/**
 * Chaincode as a service: one package (metadata.json type "ccaas" + code.tar.gz holding
 * connection.json) installed on every peer, one chaincode server process dialled by all peers, and
 * any number of chaincode definitions (names, each its own state namespace) over that package id.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { FabricInstall } from './build.js';
import { peerCliEnv } from './nodes.js';
import { run, spawnDetached, StepError, tailFile, waitUntil, isOurs } from './proc.js';
import {
  CHAINCODE_LABEL,
  CHANNEL,
  ENDORSEMENT_POLICY,
  ordererTlsCa,
  REPO_ROOT,
  type StatePaths,
  type Topology,
} from './topology.js';

/** The chaincode server command (split on spaces); it gets CHAINCODE_ID and CHAINCODE_SERVER_ADDRESS. */
export function chaincodeServerCommand(): string[] {
  return (process.env.CHAINCODE_SERVER_CMD ?? 'node chaincode/dist/server.cjs').trim().split(/\s+/);
}

/** Fails before anything starts if the default chaincode bundle has not been built. */
export function checkChaincodeServer(): void {
  if (process.env.CHAINCODE_SERVER_CMD !== undefined) return;
  const bundle = join(REPO_ROOT, 'chaincode', 'dist', 'server.cjs');
  if (!existsSync(bundle)) {
    throw new StepError(
      'check chaincode server',
      `${bundle} does not exist: build the chaincode bundle first, or set CHAINCODE_SERVER_CMD to the command that starts a chaincode server (it receives CHAINCODE_ID and CHAINCODE_SERVER_ADDRESS)`,
    );
  }
}

/** Writes the ccaas package and returns its package id (label:sha256 of the package file). */
export async function packageChaincode(
  paths: StatePaths,
  topo: Topology,
): Promise<{ file: string; packageId: string }> {
  const dir = join(paths.artifacts, 'ccaas');
  mkdirSync(dir, { recursive: true });
  const connection = {
    address: `127.0.0.1:${topo.chaincodeServerPort}`,
    dial_timeout: '10s',
    tls_required: false,
  };
  writeFileSync(join(dir, 'connection.json'), JSON.stringify(connection, null, 2));
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ type: 'ccaas', label: CHAINCODE_LABEL }));
  const file = join(paths.artifacts, `${CHAINCODE_LABEL}.tgz`);
  const step = 'package the chaincode (ccaas)';
  // Fixed owner and mtime: the same address gives the same bytes, hence the same package id.
  const tarFlags = ['--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', dir];
  await run('tar', ['-czf', join(dir, 'code.tar.gz'), ...tarFlags, 'connection.json'], { step });
  await run('tar', ['-czf', file, ...tarFlags, 'metadata.json', 'code.tar.gz'], { step });
  const packageId = `${CHAINCODE_LABEL}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  return { file, packageId };
}

export async function installEverywhere(
  fabric: FabricInstall,
  paths: StatePaths,
  topo: Topology,
  file: string,
) {
  await Promise.all(
    topo.peers.map((p) =>
      run(fabric.bin('peer'), ['lifecycle', 'chaincode', 'install', file], {
        step: `install the chaincode package on ${p.name}`,
        env: peerCliEnv(paths, p),
      }),
    ),
  );
}

/** Starts the chaincode server detached and waits until it accepts connections. */
export async function startChaincodeServer(
  paths: StatePaths,
  topo: Topology,
  packageId: string,
): Promise<number> {
  const [cmd, ...args] = chaincodeServerCommand();
  if (cmd === undefined) throw new StepError('start chaincode server', 'CHAINCODE_SERVER_CMD is empty');
  const address = `127.0.0.1:${topo.chaincodeServerPort}`;
  const pid = spawnDetached({
    name: 'chaincode',
    cmd,
    args,
    cwd: REPO_ROOT,
    env: { ...process.env, CHAINCODE_ID: packageId, CHAINCODE_SERVER_ADDRESS: address },
    stateRoot: paths.root,
    logFile: join(paths.logs, 'chaincode.log'),
    pidDir: paths.pids,
  });
  const log = join(paths.logs, 'chaincode.log');
  const step = `start chaincode server (${[cmd, ...args].join(' ')})`;
  await waitUntil(
    async () => {
      if (!isOurs(pid, paths.root, 'chaincode'))
        throw new StepError(step, 'exited during start-up', undefined, tailFile(log));
      return (await canConnect(topo.chaincodeServerPort)) ? true : undefined;
    },
    30_000,
    () => new StepError(step, `not listening on ${address} after 30 s`, undefined, tailFile(log)),
  );
  return pid;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

function ordererArgs(paths: StatePaths, topo: Topology, i = 0): string[] {
  const orderer = topo.orderers[i % topo.orderers.length];
  if (orderer === undefined) throw new Error('no orderer in the topology');
  return ['-o', `127.0.0.1:${orderer.port}`, '--tls', '--cafile', ordererTlsCa(paths)];
}

function definitionArgs(name: string, sequence = 1): string[] {
  return ['--channelID', CHANNEL, '--name', name, '--version', '1', '--sequence', String(sequence)].concat([
    '--signature-policy',
    ENDORSEMENT_POLICY,
    '--waitForEventTimeout',
    '60s',
  ]);
}

/**
 * Approves `name` for every org at once (spread over the orderers, one or two blocks), then commits it with
 * every peer endorsing and confirming the commit. Every org approves although MAJORITY would do:
 * a peer whose org has not approved refuses to endorse the chaincode.
 */
export async function defineChaincode(
  fabric: FabricInstall,
  paths: StatePaths,
  topo: Topology,
  name: string,
  packageId: string,
): Promise<void> {
  await Promise.all(
    topo.peers.map((p, i) =>
      run(
        fabric.bin('peer'),
        [
          'lifecycle',
          'chaincode',
          'approveformyorg',
          ...ordererArgs(paths, topo, i),
          ...definitionArgs(name),
        ].concat(['--package-id', packageId]),
        { step: `approve chaincode ${name} for ${p.org.mspId}`, env: peerCliEnv(paths, p) },
      ),
    ),
  );
  const bureau = topo.peers[0];
  if (bureau === undefined) throw new Error('no peer in the topology');
  const peerArgs = topo.peers.flatMap((p) => [
    '--peerAddresses',
    `127.0.0.1:${p.port}`,
    '--tlsRootCertFiles',
    join(paths.peerOrg(p.org), 'peers', p.host, 'tls', 'ca.crt'),
  ]);
  await run(
    fabric.bin('peer'),
    ['lifecycle', 'chaincode', 'commit', ...ordererArgs(paths, topo), ...definitionArgs(name), ...peerArgs],
    { step: `commit chaincode definition ${name}`, env: peerCliEnv(paths, bureau) },
  );
}

/** Runs the contract API's metadata query on one peer: proves the peer can reach the chaincode. */
export async function probeChaincode(
  fabric: FabricInstall,
  paths: StatePaths,
  topo: Topology,
  name: string,
  peerIndex = 0,
) {
  const peer = topo.peers[peerIndex];
  if (peer === undefined) throw new Error(`no peer ${peerIndex}`);
  const args = [
    'chaincode',
    'query',
    '-C',
    CHANNEL,
    '-n',
    name,
    '-c',
    '{"Args":["org.hyperledger.fabric:GetMetadata"]}',
  ];
  await run(fabric.bin('peer'), args, {
    step: `query chaincode ${name} on ${peer.name}`,
    env: peerCliEnv(paths, peer),
  });
}

/** Name rules of the Fabric lifecycle. */
export function checkChaincodeName(name: string): void {
  if (!/^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$/.test(name) || name.length > 128) {
    throw new StepError(
      'deploy chaincode',
      `"${name}" is not a valid chaincode name (letters, digits, single - or _ between)`,
    );
  }
}
