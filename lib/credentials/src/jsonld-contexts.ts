/**
 * Shared, immutable active contexts for jsonld.js.
 *
 * Why: signing or verifying one eddsa-rdfc-2022 credential expands it twice (document and proof
 * options). The VC 2.0 and Open Badges contexts are full of type-scoped contexts, and jsonld.js 9
 * deep-copies the whole active context (hundreds of term definitions) every time it steps into a
 * node object under such a type, then reprocesses the type-scoped context against that copy,
 * because its processed-context cache is keyed by object identity and the copy is always new
 * (jsonld.js issue #414, open since 2020). A CPU profile of `vc.issue` showed 29 % of all time in
 * that copying.
 *
 * What this changes, and why the output cannot change: jsonld.js never modifies an active context
 * after it has been processed (every change happens on a fresh clone inside `context.process`),
 * and term definitions are never modified after they are created. So:
 * 1. reverting to the previous (pre-type-scope) context returns that context itself, not a copy;
 * 2. a clone shares its `previousContext` and its term definition objects (the Map and the
 *    `protected` table are still new, because `process` fills them; for a clone of a finished
 *    context they are copied on first use, as most such clones are only ever cache keys);
 * 3. the processed-context cache also recognises an unmodified clone of a finished context by
 *    what it was cloned from and its `previousContext`, so `process` finds its earlier result.
 * A context still being built is never used as such a key (it is not "finished" until jsonld.js
 * stores it as a processed result), so partial contexts cannot poison the cache.
 *
 * The test `jsonld-contexts.test.ts` checks, for our credential kinds and 720 documents generated
 * from the bundled contexts' terms, that the canonical N-Quads are byte-identical with and without
 * this module (the reference runs in a child process with stock jsonld.js). It relies on jsonld
 * 9.x internals (a direct dependency of this package, pinned to ^9): `installSharedJsonLdContexts`
 * checks the shapes it needs and leaves jsonld.js untouched when they are not there.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ActiveContext {
  mappings: Map<string, unknown>;
  protected: Record<string, unknown>;
  inverse: unknown;
  getInverse: unknown;
  clone: (this: ActiveContext) => ActiveContext;
  revertToPreviousContext: (this: ActiveContext) => ActiveContext;
  previousContext?: ActiveContext;
  '@base'?: unknown;
  '@language'?: unknown;
  '@vocab'?: unknown;
  [CLONED_FROM]?: ActiveContext;
}

interface ResolvedContextPrototype {
  getProcessed(activeCtx: ActiveContext): unknown;
  setProcessed(activeCtx: ActiveContext, processed: { context: ActiveContext }): void;
}

const CLONED_FROM = Symbol('edu-ledger.jsonld.clonedFrom');

/** Contexts that jsonld.js has finished building (processed results and the initial contexts). */
const finished = new WeakSet<ActiveContext>();

function cloneSharing(this: ActiveContext): ActiveContext {
  const child = {
    clone: this.clone,
    inverse: null,
    getInverse: this.getInverse,
    revertToPreviousContext: this.revertToPreviousContext,
  } as ActiveContext;
  if (finished.has(this)) {
    copyOnFirstUse(child, this);
  } else {
    child.mappings = new Map(this.mappings);
    child.protected = { ...this.protected };
  }
  if (this.previousContext) child.previousContext = this.previousContext;
  if ('@base' in this) child['@base'] = this['@base'];
  if ('@language' in this) child['@language'] = this['@language'];
  if ('@vocab' in this) child['@vocab'] = this['@vocab'];
  return child;
}

/**
 * A finished context never changes, so its clone copies the term table only when something reads
 * or writes it. Most such clones are only cache keys (see ProcessedCache) and never do.
 */
function copyOnFirstUse(child: ActiveContext, parent: ActiveContext): void {
  let mappings: Map<string, unknown> | undefined;
  let protectedTerms: Record<string, unknown> | undefined;
  Object.defineProperties(child, {
    mappings: {
      enumerable: true,
      get: () => (mappings ??= new Map(parent.mappings)),
      set: (value: Map<string, unknown>) => (mappings = value),
    },
    protected: {
      enumerable: true,
      get: () => (protectedTerms ??= { ...parent.protected }),
      set: (value: Record<string, unknown>) => (protectedTerms = value),
    },
  });
  child[CLONED_FROM] = parent;
}

function revertSharing(this: ActiveContext): ActiveContext {
  return this.previousContext ?? this;
}

/**
 * The processed-context cache of one resolved context: by identity, plus by (cloned from,
 * previous context) for unmodified clones of finished contexts.
 */
class ProcessedCache {
  private readonly byIdentity = new WeakMap<ActiveContext, unknown>();
  private readonly byOrigin = new WeakMap<ActiveContext, Map<ActiveContext | null, unknown>>();

  get(ctx: ActiveContext): unknown {
    const origin = ctx[CLONED_FROM];
    if (origin !== undefined && !finished.has(ctx)) {
      return this.byOrigin.get(origin)?.get(ctx.previousContext ?? null);
    }
    return this.byIdentity.get(ctx);
  }

  set(ctx: ActiveContext, processed: unknown): void {
    const origin = ctx[CLONED_FROM];
    if (origin !== undefined && !finished.has(ctx)) {
      let byPrevious = this.byOrigin.get(origin);
      if (!byPrevious) this.byOrigin.set(origin, (byPrevious = new Map()));
      byPrevious.set(ctx.previousContext ?? null, processed);
    }
    this.byIdentity.set(ctx, processed);
  }
}

const caches = new WeakMap<object, ProcessedCache>();
function cacheOf(resolved: object): ProcessedCache {
  let cache = caches.get(resolved);
  if (!cache) caches.set(resolved, (cache = new ProcessedCache()));
  return cache;
}

let state: 'stock' | 'installed' | 'unsupported' = 'stock';

/**
 * Installs the shared-context behaviour into this process's jsonld.js (idempotent). Returns
 * whether it is active; an unexpected jsonld.js version is left alone.
 */
export function installSharedJsonLdContexts(): boolean {
  if (state !== 'stock') return state === 'installed';
  const contextApi = require('jsonld/lib/context.js') as {
    getInitialContext?: (options: { processingMode?: string }) => ActiveContext;
  };
  const ResolvedContext = require('jsonld/lib/ResolvedContext.js') as { prototype: ResolvedContextPrototype };
  const version = (require('jsonld/package.json') as { version: string }).version;
  const getInitialContext = contextApi.getInitialContext;
  const initial = getInitialContext?.({});
  if (
    !version.startsWith('9.') ||
    getInitialContext === undefined ||
    initial === undefined ||
    typeof initial.clone !== 'function' ||
    typeof initial.revertToPreviousContext !== 'function' ||
    typeof ResolvedContext.prototype.getProcessed !== 'function'
  ) {
    state = 'unsupported';
    return false;
  }
  // jsonld.js caches one initial context per processing mode and every active context is cloned
  // from one of them, copying these two methods along.
  for (const processingMode of [undefined, 'json-ld-1.0', 'json-ld-1.1']) {
    const ctx = getInitialContext(processingMode === undefined ? {} : { processingMode });
    ctx.clone = cloneSharing;
    ctx.revertToPreviousContext = revertSharing;
    finished.add(ctx);
  }
  ResolvedContext.prototype.getProcessed = function (this: object, activeCtx: ActiveContext) {
    return cacheOf(this).get(activeCtx);
  };
  ResolvedContext.prototype.setProcessed = function (
    this: object,
    activeCtx: ActiveContext,
    processed: { context: ActiveContext },
  ) {
    finished.add(processed.context);
    cacheOf(this).set(activeCtx, processed);
  };
  state = 'installed';
  return true;
}

/** Whether this process's jsonld.js runs with shared contexts (for benchmarks and tests). */
export function sharedJsonLdContextsInstalled(): boolean {
  return state === 'installed';
}
