import { expect } from 'chai';
import fc from 'fast-check';
import { ERROR_CODES } from '@edu-ledger/domain';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

/** A JSON Schema node as the OpenAPI document carries it (zod's output). */
interface Schema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: unknown;
  default?: unknown;
}

interface Operation {
  method: string;
  template: string;
  params: string[];
  body: Schema | undefined;
  /** The route documents a 400 that carries a verification result rather than an error envelope. */
  checksOn400: boolean;
  /** Roles the route admits (empty: public). */
  roles: string[];
}

/** Strings that satisfy the patterns the domain uses most (ids, slugs, numbers, types). */
const CANDIDATES = [
  'urn:uuid:6f1c2b9e-0d1a-4c1e-9b3a-5a2f7e9c1d00',
  'school-gen',
  `subj-${'0'.repeat(32)}`,
  '110101200805011234',
  '20260000000001',
  'VerifiableCredential',
  'did:example:fuzz',
  '2026-S1',
  'https://edu-ledger.example/x',
];

/** A plausible value for a schema: enough to get past the first checks, so mutations reach deeper. */
function sampleFor(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const choice = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (choice) return sampleFor(choice, depth + 1);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {})
          .filter(([, s]) => s.not === undefined)
          .map(([k, s]) => [k, sampleFor(s, depth + 1)]),
      );
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        sampleFor(schema.items, depth + 1),
      );
    case 'number':
    case 'integer':
      return (schema.minimum ?? 0) + 1;
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'date-time') return '2026-03-01T08:00:00Z';
      if (schema.format === 'date') return '2010-05-01';
      if (schema.format === 'uri') return 'https://edu-ledger.example/x';
      if (schema.pattern) {
        const pattern = new RegExp(schema.pattern);
        return CANDIDATES.find((c) => pattern.test(c)) ?? 'x';
      }
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return schema.default ?? 'x';
  }
}

/** Every path to a value inside a JSON value, as key lists. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  if (typeof value !== 'object' || value === null) return replacement;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === String(head) ? replaceAt(v, rest, replacement) : v]),
  );
}

const NASTY_VALUES: unknown[] = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  '%E0%A4%A',
  'a'.repeat(5000),
  -1,
  0,
  -0,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  null,
  true,
  [],
  {},
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'urn:uuid:00000000-0000-0000-0000-000000000000',
  '\u0000',
  '😀',
  'did:web:evil.example',
];
const nastyValue = fc.oneof(
  fc.constantFrom(...NASTY_VALUES),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Raw body texts JSON.stringify cannot produce: out-of-range numbers, depth, forbidden keys, syntax. */
const NASTY_TEXTS = [
  '{"a":1e309}',
  '{"n":-1e309}',
  `{"a":${'['.repeat(200)}${']'.repeat(200)}}`,
  '{"__proto__":{"@id":"x"}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{',
  'null',
  '"text"',
  '123',
  '[]',
  '',
  '{"a":"\\ud800"}',
];

function bodyArbitrary(schema: Schema | undefined, known: unknown): fc.Arbitrary<string> {
  const sample = known ?? sampleFor(schema);
  const paths = pathsOf(sample);
  return fc.oneof(
    fc.constant(JSON.stringify(sample)),
    fc
      .tuple(fc.constantFrom(...paths), nastyValue)
      .map(([path, value]) => JSON.stringify(replaceAt(sample, path, value))),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(...NASTY_TEXTS),
  );
}

const RAW_PARAMS = ['%E0%A4%A', '%', '%00', '%2F..%2F', '__proto__', 'constructor', 'a'.repeat(3000)];
const paramArbitrary = fc.oneof(
  fc.constantFrom(...CANDIDATES.map(encodeURIComponent), ...RAW_PARAMS),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

const RAW_QUERY = ['-1', '0', '101', '1e309', 'NaN', '%', '%E0%A4%A', '%%', '__proto__'];
const queryArbitrary = fc
  .dictionary(
    fc.constantFrom('pageSize', 'bookmark', 'limit', 'q', '__proto__', 'kind'),
    fc.oneof(fc.constantFrom(...RAW_QUERY), fc.string({ maxLength: 20 }).map(encodeURIComponent)),
    { maxKeys: 3 },
  )
  .map((q) => {
    const pairs = Object.entries(q).map(([k, v]) => `${k}=${v}`);
    return pairs.length ? `?${pairs.join('&')}` : '';
  });

async function operationsOf(gw: Gateway): Promise<Operation[]> {
  const doc = (await gw.call('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, Record<string, any>>>;
  };
  return Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      template,
      params: [...template.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] ?? ''),
      body: op.requestBody?.content?.['application/json']?.schema as Schema | undefined,
      // Routes that document their own 400 (a failed check), not the default INVALID_ARGUMENT one.
      checksOn400: !String(op.responses?.['400']?.description ?? '').includes('INVALID_ARGUMENT'),
      roles: /^Roles: (.*)$/.exec(String(op.description ?? ''))?.[1]?.split(', ') ?? [],
    })),
  );
}

/** Mostly a token of a role the route admits (school-gen's where there is a choice), so requests get past access control. */
function tokenFor(gw: Gateway, roles: readonly string[]): fc.Arbitrary<string | undefined> {
  const fitting = Object.entries(gw.tokens)
    .filter(([name]) => roles.some((role) => name.startsWith(`${role}@`)))
    .sort(([a], [b]) => Number(b.endsWith('@school-gen')) - Number(a.endsWith('@school-gen')))
    .map(([, token]) => token);
  return fitting.length ? fc.constantFrom(...fitting) : fc.constant(undefined);
}

const STACK_TRACE = /\n\s+at\s|\.(?:ts|js|mjs|cjs):\d+|node_modules/;
const CODES: readonly string[] = ERROR_CODES;

describe('gateway hardening: generated requests against every documented operation', function () {
  this.timeout(120_000);
  let gw: Gateway;
  /** Real bodies for the credential routes, so that mutations reach JSON-LD processing. */
  let known: Record<string, unknown>;

  before(async () => {
    gw = await startGateway();
    const issue = achievementRequest('did:example:fuzz-holder');
    const { verifiableCredential } = await gw.step(
      'POST',
      '/credentials/issue',
      gw.tokens['school-admin@school-gen'],
      issue,
      201,
    );
    known = {
      'POST /credentials/issue': issue,
      'POST /credentials/verify': { verifiableCredential },
      'POST /verification-receipts': { verifiableCredential },
    };
  });
  after(async () => {
    await gw?.close();
  });

  it('never answers 5xx, always a stable error envelope on 4xx, never a stack, nothing written when refused', async () => {
    const operations = await operationsOf(gw);
    expect(operations.length).to.be.greaterThan(50);
    const anyToken = fc.constantFrom(
      undefined,
      'edu_not-a-real-token-000000000000',
      ...Object.values(gw.tokens),
    );
    const started = Date.now();
    const seen = new Map<string, number>();
    for (const [index, op] of operations.entries()) {
      const request = fc.record({
        params: fc.array(paramArbitrary, { minLength: op.params.length, maxLength: op.params.length }),
        query: queryArbitrary,
        body:
          op.method === 'GET'
            ? fc.constant(undefined)
            : bodyArbitrary(op.body, known[`${op.method} ${op.template}`]),
        token: fc.oneof(anyToken, tokenFor(gw, op.roles)),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ params, query, body, token }) => {
          let i = 0;
          const path = op.template.replace(/\{[A-Za-z]+\}/g, () => params[i++] ?? 'x') + query;
          const height = await gw.ledger.height();
          const response = await fetch(`${gw.url}${path}`, {
            method: op.method,
            headers: {
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body,
          });
          const text = await response.text();
          const key = `${op.method} ${op.template} ${response.status}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          const what = `${op.method} ${path} body=${String(body).slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
          expect(response.status, what).to.be.below(500);
          expect(STACK_TRACE.test(text), `stack trace in ${what}`).to.equal(false);
          if (response.status < 400) return;
          const answer = JSON.parse(text) as {
            error?: { code?: unknown; message?: unknown };
            verified?: unknown;
          };
          const isCheckResult =
            op.checksOn400 && response.status === 400 && answer.verified === false && 'checks' in answer;
          if (!isCheckResult) {
            expect(CODES, what).to.include(answer.error?.code);
            expect(answer.error?.message, what).to.be.a('string');
          }
          expect(await gw.ledger.height(), `refused but written: ${what}`).to.equal(height);
        }),
        { numRuns: 25, seed: 20_260_301 + index, endOnFailure: true },
      );
    }
    expect(Date.now() - started, 'the generated run stays bounded').to.be.below(90_000);
    if (process.env.FUZZ_REPORT) console.log([...seen].map(([k, n]) => `${k} ×${n}`).join('\n'));
    // Not vacuous: generated requests got past validation on many routes, and were refused on all.
    const statuses = [...seen.keys()].map((k) => Number(k.split(' ').pop()));
    expect(statuses.filter((s) => s < 300).length, 'operations that answered 2xx').to.be.greaterThan(10);
    expect(new Set(statuses.filter((s) => s >= 400))).to.include.members([400, 401, 403, 404]);
  });
});
