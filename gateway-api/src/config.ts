import { availableParallelism } from 'node:os';
import { z } from 'zod';

const MasterKey = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
  .transform((s) => Buffer.from(s, 'base64'));

const Env = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    /** `demo` seeds a consortium on an empty DATA_DIR; `production` seeds nothing and needs a master key. */
    EDU_MODE: z.enum(['demo', 'production']).default('demo'),
    EDU_MASTER_KEY: MasterKey.optional(),
    LEDGER: z.enum(['embedded', 'fabric']).default('embedded'),
    /** Base URL that appears in issued credentials (status list links). */
    PUBLIC_URL: z.url().optional(),
    /** Host part of the organisations' did:web identifiers. */
    DID_WEB_HOST: z
      .string()
      .regex(/^[a-z0-9.-]+(%3A\d+)?$/)
      .default('edu.example.cn'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    /** Path of the Fabric connection profile (test-network writes test-network/.state/connection.json). */
    FABRIC_CONNECTION: z.string().optional(),
    /**
     * The organisations (MSP ids, comma-separated) this gateway acts for; it holds only their
     * identities. The first one's `gateway-reader` reads blocks and events. Default: every
     * organisation in the profile.
     */
    FABRIC_MSP_IDS: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(,[A-Za-z0-9.-]+)*$/)
      .transform((s) => s.split(','))
      .optional(),
    /** Chaincode name to call instead of the profile's (one channel can hold several). */
    FABRIC_CHAINCODE: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
    /** Worker threads that sign credentials; 0 signs on the main thread. */
    SIGNING_WORKERS: z.coerce.number().int().min(0).max(64).default(availableParallelism()),
    /** Length of the window the rate limits below count requests in, milliseconds. */
    RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    /**
     * Writes (POST, DELETE) one bearer token may make per window; 0 turns the limit off. The
     * defaults are flood ceilings (about 1,000/s per token), above what one gateway on two cores
     * serves (~450 issuances/s), so load tests from one client are not throttled; lower them for
     * a public deployment.
     */
    RATE_LIMIT_WRITES_PER_TOKEN: z.coerce.number().int().min(0).default(60_000),
    /** Writes one client address may make per window, with or without a token; 0: off. */
    RATE_LIMIT_WRITES_PER_ADDRESS: z.coerce.number().int().min(0).default(120_000),
    /** Verifications (public POST routes) one address may make per window without a token; 0: off. */
    RATE_LIMIT_ANONYMOUS_PER_ADDRESS: z.coerce.number().int().min(0).default(60_000),
  })
  .superRefine((env, ctx) => {
    if (env.EDU_MODE === 'production' && env.EDU_MASTER_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['EDU_MASTER_KEY'], message: 'required in production mode' });
    }
    if (env.LEDGER === 'fabric' && env.FABRIC_CONNECTION === undefined) {
      ctx.addIssue({ code: 'custom', path: ['FABRIC_CONNECTION'], message: 'required when LEDGER=fabric' });
    }
  });

export type Config = Readonly<Omit<z.output<typeof Env>, 'PUBLIC_URL'> & { PUBLIC_URL: string }>;

/** Every variable the gateway reads, for the error message and the README. */
export const CONFIG_VARIABLES = Object.keys(Env.shape);

/** The per-window request limits the HTTP layer enforces (see the RATE_LIMIT_* variables). */
export interface RateLimits {
  windowMs: number;
  writesPerToken: number;
  writesPerAddress: number;
  anonymousPerAddress: number;
}

/** The rate limits a configuration asks for. */
export function rateLimitsOf(config: Config): RateLimits {
  return {
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    writesPerToken: config.RATE_LIMIT_WRITES_PER_TOKEN,
    writesPerAddress: config.RATE_LIMIT_WRITES_PER_ADDRESS,
    anonymousPerAddress: config.RATE_LIMIT_ANONYMOUS_PER_ADDRESS,
  };
}

export class ConfigError extends Error {}

/**
 * Parses the environment once at start into a frozen object. Every problem is listed at once so
 * an operator fixes them in one go; values are never echoed (the master key is secret).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = Env.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const parsed = result.data;
  return Object.freeze({
    ...parsed,
    PUBLIC_URL: (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, ''),
  });
}

/** The rate limits when no RATE_LIMIT_* variable is set (what createApp uses unless told otherwise). */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze(rateLimitsOf(loadConfig({})));
