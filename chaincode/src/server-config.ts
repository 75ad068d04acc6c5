import { z } from 'zod';

/** The log levels fabric-contract-api and fabric-shim understand (anything else means INFO). */
const LOG_LEVELS = ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'] as const;

/** Every variable the chaincode server reads; the peer's side is set in the package's connection.json. */
const ServerEnv = z.object({
  CHAINCODE_ID: z
    .string({ error: 'required: the package id the peers know this chaincode by (label:hash)' })
    .regex(/^[^\s:]+:[0-9a-f]{64}$/i, 'expected a package id, label:<64 hex digits>'),
  CHAINCODE_SERVER_ADDRESS: z
    .string({ error: 'required: host:port to listen on, e.g. 127.0.0.1:9999' })
    .regex(/^[^\s]+:\d{1,5}$/, 'expected host:port')
    .refine((address) => {
      const port = Number(address.slice(address.lastIndexOf(':') + 1));
      return port >= 1 && port <= 65535;
    }, 'the port must be 1-65535'),
  CORE_CHAINCODE_LOGGING_LEVEL: z
    .string()
    .transform((level) => level.toUpperCase())
    .pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }))
    .optional(),
});

export type ServerConfig = Readonly<{
  chaincodeId: string;
  address: string;
  logLevel: (typeof LOG_LEVELS)[number] | undefined;
}>;

/** The environment did not describe a server we can start; `problems` lists every variable at fault. */
export class ServerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid chaincode server environment:\n  ${problems.join('\n  ')}`);
    this.name = 'ServerConfigError';
  }
}

/**
 * Reads the chaincode server's configuration from the environment, once, at start.
 * @throws ServerConfigError listing every missing or malformed variable.
 */
export function parseServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const parsed = ServerEnv.safeParse(env);
  if (!parsed.success) {
    throw new ServerConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return Object.freeze({
    chaincodeId: parsed.data.CHAINCODE_ID,
    address: parsed.data.CHAINCODE_SERVER_ADDRESS,
    logLevel: parsed.data.CORE_CHAINCODE_LOGGING_LEVEL,
  });
}
