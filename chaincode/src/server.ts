import { createChaincode, describeChaincode } from './dispatcher.js';
import fabricShim from 'fabric-shim';
import type { ChaincodeInterface } from 'fabric-shim';
import { parseServerConfig } from './server-config.js';

/**
 * gRPC settings of fabric-chaincode-node's own `server` command (lib/cmds/serverCommand.js): no
 * message size limits, and keepalive pings the peer's enforcement policy accepts.
 */
const GRPC_OPTIONS = {
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': -1,
  'grpc.keepalive_time_ms': 110_000,
  'grpc.http2.min_time_between_pings_ms': 110_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.http2.max_pings_without_data': 0,
  'grpc.keepalive_permit_without_calls': 1,
};

/**
 * fabric-shim's typings make `tlsProps` required, but its server (lib/server.js) serves plain TCP
 * when it is absent, which is what a peer dialling 127.0.0.1 expects here. This method-typed view
 * of `Shim.server` says so without a cast.
 */
interface PlainServerFactory {
  server(
    chaincode: ChaincodeInterface,
    options: { ccid: string; address: string } & Partial<typeof GRPC_OPTIONS>,
  ): { start(): Promise<void> };
}
const shim: PlainServerFactory = fabricShim.Shim;

/**
 * Starts the chaincode-as-a-service server that peers dial (`CHAINCODE_ID`,
 * `CHAINCODE_SERVER_ADDRESS`). With `--check` it only loads the contracts into fabric-shim's
 * dispatcher and prints what the shim will dispatch, as JSON, without listening.
 *
 * @returns the process exit code: 0 on success, 1 for a configuration or start-up failure.
 */
export async function main(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (args.includes('--check')) {
    process.stdout.write(`${JSON.stringify(describeChaincode(createChaincode()), null, 2)}\n`);
    return 0;
  }
  try {
    const config = parseServerConfig(env);
    await shim
      .server(createChaincode(), { ccid: config.chaincodeId, address: config.address, ...GRPC_OPTIONS })
      .start();
    process.stderr.write(`chaincode server listening on ${config.address} as ${config.chaincodeId}\n`);
    return 0;
  } catch (error) {
    // A configuration error's message lists every variable at fault.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`chaincode server: ${message}\n`);
    return 1;
  }
}

export { contracts } from './index.js';
