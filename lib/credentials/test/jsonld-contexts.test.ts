import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  EDU_V1_CONTEXT,
  OB_V3_CONTEXT,
  sharedJsonLdContextsInstalled,
  VC_V1_CONTEXT,
  VC_V2_CONTEXT,
} from '../src/index.js';
import { bundledContext } from '../src/contexts.js';
import { canonizeAll, jsonLdIsStock, type Outcome } from './support/canonize.js';
import { achievementCredential, growthTermReport, statusEntry } from './fixtures.js';

const STOCK_CHILD = fileURLToPath(new URL('./support/canonize-stock.ts', import.meta.url));

/** Canonicalises the documents in a separate Node process running unmodified jsonld.js. */
function canonizeWithStockJsonLd(documents: readonly unknown[]): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', STOCK_CHILD],
      { maxBuffer: 256 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`stock canonicaliser failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as Outcome[]);
      },
    );
    child.stdin?.end(JSON.stringify(documents));
  });
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type TermTable = Map<string, unknown>;

/** The terms a context set defines at the top, and the terms each type adds in its scope. */
function vocabulary(contextUrls: readonly string[]): { top: TermTable; scoped: Map<string, TermTable> } {
  const top: TermTable = new Map();
  const scoped = new Map<string, TermTable>();
  for (const url of contextUrls) {
    const context = (bundledContext(url)?.['@context'] ?? {}) as Record<string, unknown>;
    for (const [term, definition] of Object.entries(context)) {
      if (term.startsWith('@')) continue;
      top.set(term, definition);
      const inner = (definition as { '@context'?: Record<string, unknown> } | null)?.['@context'];
      if (inner !== undefined && typeof inner === 'object') {
        scoped.set(term, new Map(Object.entries(inner).filter(([k]) => !k.startsWith('@'))));
      }
    }
  }
  return { top, scoped };
}

/**
 * Random documents over a context set's real terms: typed nodes nested four deep, type-scoped
 * terms used inside their type, subject references and value objects (which jsonld.js treats
 * differently when reverting type scopes), arrays, and now and then a term used out of scope.
 */
function randomDocuments(contextUrls: readonly string[], count: number, seed: number): unknown[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const { top, scoped } = vocabulary(contextUrls);
  const types = [...top.keys()].filter((t) => /^[A-Z]/.test(t));
  const allScopedTerms = [...scoped.values()].flatMap((table) => [...table.keys()]);
  let serial = 0;
  const iri = (): string => `urn:uuid:00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;

  const value = (definition: unknown, depth: number): unknown => {
    const type = (definition as { '@type'?: string } | null)?.['@type'];
    const r = random();
    if (type === '@id' || type === '@vocab') return r < 0.5 || depth > 3 ? iri() : node(depth + 1);
    if (type?.endsWith('dateTime')) return `2025-0${1 + Math.floor(r * 9)}-01T08:00:00Z`;
    if (type?.endsWith('integer') || type?.endsWith('float') || type?.endsWith('decimal')) {
      return Math.floor(r * 1000) / (type.endsWith('integer') ? 1 : 8);
    }
    if (type === '@json') return { any: ['json', r] };
    if (r < 0.3) return `期末评价 ${serial++}`;
    if (r < 0.45) return Math.floor(r * 100);
    if (r < 0.5) return r < 0.475;
    if (r < 0.55) return { '@value': `note ${serial++}`, '@language': pick(['zh', 'en']) };
    if (r < 0.6) return { id: iri() };
    return depth > 3 ? `leaf ${serial++}` : node(depth + 1);
  };

  const node = (depth: number): Record<string, unknown> => {
    const nodeTypes = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(types)))];
    const terms: [string, unknown][] = [...top.entries()];
    for (const t of nodeTypes) terms.push(...(scoped.get(t) ?? new Map()).entries());
    const out: Record<string, unknown> = {};
    if (random() < 0.6) out.id = iri();
    if (nodeTypes.length > 0) out.type = nodeTypes;
    for (let i = 1 + Math.floor(random() * 5); i > 0; i--) {
      if (random() < 0.03) {
        out[pick(allScopedTerms)] = `out of scope ${serial++}`;
        continue;
      }
      const [term, definition] = pick(terms);
      if (['id', 'type', '@context'].includes(term) || /^[A-Z]/.test(term)) continue;
      out[term] =
        random() < 0.2 ? [value(definition, depth), value(definition, depth)] : value(definition, depth);
    }
    return out;
  };

  return Array.from({ length: count }, () => ({ '@context': [...contextUrls], ...node(0) }));
}

describe('shared jsonld.js active contexts (jsonld-contexts.ts)', function () {
  this.timeout(120_000);

  const issuer = 'did:web:school.example.cn';
  const holder = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
  const fixed: unknown[] = [
    achievementCredential({
      issuer,
      subjectId: holder,
      credentialStatus: statusEntry(`${issuer}/status/1`, 7),
    }),
    growthTermReport({ issuer, subjectId: holder }),
    {
      '@context': [VC_V2_CONTEXT],
      type: ['VerifiablePresentation'],
      holder,
      verifiableCredential: [
        achievementCredential({ issuer, subjectId: holder }),
        growthTermReport({ issuer, subjectId: holder }),
      ],
    },
    {
      '@context': [VC_V2_CONTEXT],
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      created: '2025-01-20T00:00:00Z',
      verificationMethod: `${issuer}#key-1`,
      proofPurpose: 'assertionMethod',
    },
  ];
  const corpus = [
    ...fixed,
    ...randomDocuments([VC_V2_CONTEXT, OB_V3_CONTEXT, EDU_V1_CONTEXT], 320, 1),
    ...randomDocuments([VC_V2_CONTEXT, EDU_V1_CONTEXT], 160, 2),
    ...randomDocuments([VC_V2_CONTEXT, OB_V3_CONTEXT], 160, 3),
    ...randomDocuments([VC_V1_CONTEXT], 80, 4),
  ];

  it('is installed in this process, and the reference process really runs stock jsonld.js', () => {
    expect(sharedJsonLdContextsInstalled()).to.equal(true);
    expect(jsonLdIsStock()).to.equal(false);
  });

  it('gives byte-identical canonical N-Quads (or the same error) as stock jsonld.js', async () => {
    // Twice here, so the second pass runs entirely on cached processed contexts.
    const first = await canonizeAll(corpus);
    const second = await canonizeAll(corpus);
    const stock = await canonizeWithStockJsonLd(corpus);
    expect(stock).to.have.length(corpus.length);
    for (let i = 0; i < corpus.length; i++) {
      const where = `document ${i}: ${JSON.stringify(corpus[i]).slice(0, 300)}`;
      expect(first[i], where).to.deep.equal(stock[i]);
      expect(second[i], where).to.deep.equal(stock[i]);
    }
    // Not vacuous: most documents canonicalise, and they produce real statements.
    const succeeded = stock.filter((o): o is { nquads: string } => 'nquads' in o);
    expect(succeeded.length).to.be.greaterThan(corpus.length * 0.6);
    expect(succeeded.reduce((n, o) => n + o.nquads.split('\n').length, 0)).to.be.greaterThan(4000);
    for (let i = 0; i < fixed.length; i++) expect(stock[i]).to.have.property('nquads');
  });
});
