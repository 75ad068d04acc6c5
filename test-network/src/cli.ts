/**
 * node --import tsx test-network/src/cli.ts build|up|down|status|deploy <name>
 *
 * Exit status 0 on success; on failure, the failed step, its command and the tail of its output
 * (or of the node's log) on stderr, and exit status 1.
 */
import { ensureFabric, cachedFabric, FABRIC_VERSION } from './build.js';
import { peerCliEnv } from './nodes.js';
import { statePaths, topology } from './topology.js';
import { deployChaincode, down, status, up, type NetworkStatus } from './network.js';
import { StepError } from './proc.js';
import { heights, killNode, leader, restartNode } from './faults.js';

const USAGE = `usage: node --import tsx test-network/src/cli.ts <command>
  build          build Fabric ${FABRIC_VERSION} from the pinned archive into the cache (no-op when cached)
  up             start 3 orderers, 5 peers and the chaincode server; define the chaincode
  down           stop the network's processes and remove test-network/.state
  status         each node up/down with pid, port and channel height
  deploy <name>  define another chaincode name over the installed package (fresh namespace)
  kill <node>    SIGKILL one node (orderer1..3, peer0.<orgId>, chaincode)
  restart <node> start a killed node again as \`up\` did and wait until it is healthy
  heights        every peer's height and last block hash, and the Raft leader
  env <orgId>    print shell exports for the peer CLI as that organisation's admin:
                 eval "$(npm run -s network:env -- university)"
environment: FABRIC_ARCHIVE, FABRIC_BIN_CACHE, FABRIC_PORT_BASE (default 7050), FABRIC_STATE_DIR,
  CHAINCODE_SERVER_CMD (default "node chaincode/dist/server.cjs"), CHAINCODE_NAME (default edu-ledger)`;

function printStatus(s: NetworkStatus): void {
  console.log(
    `network: ${s.state}${s.record ? ` (started ${s.record.startedAt}, chaincode ${s.record.chaincode})` : ''}`,
  );
  for (const n of s.nodes) {
    const cols = [
      n.name.padEnd(18),
      (n.up ? 'up' : 'down').padEnd(5),
      `pid ${n.pid ?? '-'}`.padEnd(11),
      `port ${n.port}`.padEnd(10),
      n.height !== undefined ? `height ${n.height}` : '',
      n.leader === true ? '(raft leader)' : '',
    ];
    console.log(`  ${cols.join(' ').trimEnd()}`);
  }
  if (s.record) console.log(`connection profile: ${s.record.connectionProfile}`);
}

/** Shell exports that point the `peer` CLI at one organisation's peer, as that organisation's admin. */
function printPeerEnv(orgId: string): number {
  const peer = topology().peers.find((p) => p.org.orgId === orgId);
  const fabric = cachedFabric();
  if (!peer || !fabric) {
    console.error(peer ? 'Fabric is not built: npm run fabric:build' : `no peer organisation ${orgId}`);
    return 2;
  }
  const env = peerCliEnv(statePaths(), peer);
  const quote = (v: string): string => `'${v.replace(/'/g, "'\\''")}'`;
  for (const [name, value] of Object.entries(env)) {
    if (name === 'PATH' || name === 'HOME' || value === undefined) continue;
    console.log(`export ${name}=${quote(value)}`);
  }
  console.log(`export PATH=${quote(fabric.binDir)}:"$PATH"`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, arg] = argv;
  switch (command) {
    case 'build':
      await ensureFabric();
      return 0;
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status': {
      const s = await status();
      printStatus(s);
      return s.state === 'up' ? 0 : 3;
    }
    case 'env':
      if (arg === undefined) break;
      return printPeerEnv(arg);
    case 'kill':
      if (arg === undefined) break;
      console.log(`killed ${arg} (pid ${await killNode(arg)})`);
      return 0;
    case 'restart':
      if (arg === undefined) break;
      console.log(`restarted ${arg} (pid ${await restartNode(arg)})`);
      return 0;
    case 'heights':
      for (const h of await heights())
        console.log(`  ${h.name.padEnd(18)} ${h.height} ${h.currentBlockHash}`);
      console.log(`raft leader: ${(await leader()) ?? 'none'}`);
      return 0;
    case 'deploy':
      if (arg === undefined) break;
      await deployChaincode(arg);
      return 0;
    default:
      break;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof StepError) {
      console.error(`\nFAILED: ${error.message}`);
    } else {
      console.error('\nFAILED:', error);
    }
    process.exit(1);
  },
);
