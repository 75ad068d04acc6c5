import type { AnchorerOptions } from './services/anchorer.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';

const MasterKey = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
  .transform((s) => Buffer.from(s, 'base64'));

/** A JWT claim name the OIDC mapping reads. */
const OidcClaim = z.string().regex(/^[A-Za-z0-9_.:/-]{1,100}$/);

const Env = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    /** `demo` seeds a consortium on an empty DATA_DIR; `production` seeds nothing and needs a master key. */
    EDU_MODE: z.enum(['demo', 'production']).default('demo'),
    EDU_MASTER_KEY: MasterKey.optional(),
    /**
     * Path of a file holding the master key (base64, 32 bytes), kept outside DATA_DIR so backups of
     * the data never carry it. Preferred over EDU_MASTER_KEY; only one of the two may be set.
     */
    EDU_MASTER_KEY_FILE: z.string().min(1).optional(),
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
    /**
     * Most credentials anchored under one Merkle root (one ledger transaction), and anchor
     * transactions one issuer may have on their way at once. Unset: 100 and 1 on the embedded
     * ledger, whose blocks commit in milliseconds; 500 and 2 on Fabric, where a commit takes
     * hundreds of milliseconds and throughput is batch size over commit time (BENCHMARKS.md).
     */
    ANCHOR_MAX_BATCH: z.coerce.number().int().min(1).max(500).optional(),
    ANCHOR_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(8).optional(),
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
    /** HTTPS: PEM certificate (chain) and private key files; both or neither (see checkTlsRules). */
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    /** Bearer token /metrics requires; unset: /metrics answers loopback callers only. */
    METRICS_TOKEN: z.string().min(16, 'at least 16 characters').max(200).optional(),
    /** On SIGTERM, how long in-flight requests and anchors may take before the process stops anyway. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    /**
     * Unified identity: the OpenID Connect provider whose access tokens (JWTs) staff may call with,
     * and the audience (this gateway's resource identifier) they must name. Both or neither.
     */
    OIDC_ISSUER: z.url().optional(),
    OIDC_AUDIENCE: z.string().min(1).max(500).optional(),
    /** The provider's key set; discovered from the issuer's metadata when absent. */
    OIDC_JWKS_URI: z.url().optional(),
    /** Claims naming the organisation (org id, or school code 一校一码), the person number and the role. */
    OIDC_CLAIM_ORG: OidcClaim.default('org_id'),
    OIDC_CLAIM_SCHOOL_CODE: OidcClaim.default('school_code'),
    OIDC_CLAIM_PERSON: OidcClaim.default('person_no'),
    OIDC_CLAIM_ROLE: OidcClaim.default('role'),
    /**
     * The verifier page's own registration at the provider (a public client: authorisation code
     * with PKCE, no secret; redirect URI `<PUBLIC_URL>/verify/`). Unset: the page offers no
     * provider sign-in, only pasted tokens. Used only together with OIDC_ISSUER.
     */
    OIDC_CLIENT_ID: z
      .string()
      .regex(/^[\x21-\x7E]{1,200}$/)
      .optional(),
    /** The scopes the page asks for (space-separated, `openid` among them). */
    OIDC_SCOPE: z
      .string()
      .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/)
      .refine((s) => s.split(' ').includes('openid'), 'must include openid')
      .default('openid'),
  })
  .superRefine((env, ctx) => {
    checkMasterKeyRules(env, ctx);
    checkTlsRules(env, ctx);
    if ((env.OIDC_ISSUER === undefined) !== (env.OIDC_AUDIENCE === undefined)) {
      const missing = env.OIDC_ISSUER === undefined ? 'OIDC_ISSUER' : 'OIDC_AUDIENCE';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'OIDC_ISSUER and OIDC_AUDIENCE go together' });
    }
    if (env.LEDGER === 'fabric' && env.FABRIC_CONNECTION === undefined) {
      ctx.addIssue({ code: 'custom', path: ['FABRIC_CONNECTION'], message: 'required when LEDGER=fabric' });
    }
  });

/** Where the master key may come from: exactly one source in production, never from inside DATA_DIR. */
function checkMasterKeyRules(
  env: { EDU_MODE: string; EDU_MASTER_KEY?: Buffer; EDU_MASTER_KEY_FILE?: string; DATA_DIR: string },
  ctx: z.RefinementCtx,
): void {
  const file = env.EDU_MASTER_KEY_FILE;
  if (env.EDU_MODE === 'production' && env.EDU_MASTER_KEY === undefined && file === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['EDU_MASTER_KEY_FILE'],
      message: 'required in production mode (or EDU_MASTER_KEY)',
    });
  }
  if (env.EDU_MASTER_KEY !== undefined && file !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['EDU_MASTER_KEY'],
      message: 'set EDU_MASTER_KEY_FILE or EDU_MASTER_KEY, not both',
    });
  }
  if (env.EDU_MODE === 'production' && file !== undefined && isInside(file, env.DATA_DIR)) {
    // Every copy of the data folder would carry the key that opens it.
    ctx.addIssue({
      code: 'custom',
      path: ['EDU_MASTER_KEY_FILE'],
      message: 'must lie outside DATA_DIR in production',
    });
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** HTTPS needs both files, and both must be there to read. */
function checkTlsRules(env: { TLS_CERT_FILE?: string; TLS_KEY_FILE?: string }, ctx: z.RefinementCtx): void {
  const files = { TLS_CERT_FILE: env.TLS_CERT_FILE, TLS_KEY_FILE: env.TLS_KEY_FILE };
  const given = Object.values(files).filter((f) => f !== undefined).length;
  for (const [name, file] of Object.entries(files)) {
    if (file === undefined && given === 1)
      ctx.addIssue({ code: 'custom', path: [name], message: 'TLS_CERT_FILE and TLS_KEY_FILE go together' });
    if (file !== undefined && !existsSync(file))
      ctx.addIssue({ code: 'custom', path: [name], message: 'no such file' });
  }
}

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

/**
 * The configuration as main() read it, for parts that createApp's signature does not reach (the
 * OIDC settings of routes and page policy); undefined when it is invalid, since main() has then
 * already refused to start (only an in-process test gets here).
 */
export function environmentConfig(): Config | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

/** The rate limits when no RATE_LIMIT_* variable is set (what createApp uses unless told otherwise). */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze(rateLimitsOf(loadConfig({})));

/** How the anchorer batches, by ledger unless set (see ANCHOR_MAX_BATCH). */
export function anchorerOptions(config: Config): AnchorerOptions {
  const fabric = config.LEDGER === 'fabric';
  return {
    maxBatch: config.ANCHOR_MAX_BATCH ?? (fabric ? 500 : 100),
    maxInFlight: config.ANCHOR_MAX_IN_FLIGHT ?? (fabric ? 2 : 1),
  };
}
