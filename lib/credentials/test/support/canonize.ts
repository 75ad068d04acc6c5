/**
 * Canonicalises documents with jsonld.js exactly as eddsa-rdfc-2022 does (RDFC-1.0, N-Quads, safe
 * mode), against the bundled contexts only. Imports nothing that installs the shared-context
 * change, so the child process in canonize-stock.ts runs stock jsonld.js.
 */
import { createRequire } from 'node:module';
import { bundledContext } from '../../src/contexts.js';

const require = createRequire(import.meta.url);

interface JsonLd {
  canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
}
const jsonld = require('jsonld') as JsonLd;

export type Outcome = { nquads: string } | { error: string };

async function documentLoader(url: string): Promise<unknown> {
  const document = bundledContext(url);
  if (document === undefined) throw new Error(`not bundled: ${url}`);
  return { contextUrl: null, documentUrl: url, document };
}

export async function canonizeAll(documents: readonly unknown[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const document of documents) {
    try {
      const nquads = await jsonld.canonize(document, {
        algorithm: 'RDFC-1.0',
        format: 'application/n-quads',
        safe: true,
        documentLoader,
      });
      outcomes.push({ nquads });
    } catch (error) {
      const { name, details } = error as {
        name?: string;
        details?: { code?: string; event?: { code?: string } };
      };
      outcomes.push({ error: `${name ?? 'Error'}/${details?.code ?? ''}/${details?.event?.code ?? ''}` });
    }
  }
  return outcomes;
}

/** True while jsonld.js still clones active contexts its own way (nothing installed). */
export function jsonLdIsStock(): boolean {
  const contextApi = require('jsonld/lib/context.js') as {
    getInitialContext(options: object): { clone: { name: string } };
  };
  return contextApi.getInitialContext({}).clone.name === '_cloneActiveContext';
}
