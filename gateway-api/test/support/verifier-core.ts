// DCC's verifier-core, run against a gateway on 127.0.0.1, for verifier-core.api.test.ts.
//
// verifier-core builds its own document loader and suites at import time and takes no options for
// them: it resolves did:web over HTTPS (did:web:edu.example.cn:orgs:<org> →
// https://edu.example.cn/orgs/<org>/did.json) and fetches contexts, status lists, issuer registries
// and JSON Schemas with the global fetch. The tests have no internet and the gateway listens on
// http://127.0.0.1:<port>. While one verification runs, the global fetch is wrapped so that
// https://edu.example.cn/… goes to the gateway (standing in for DNS and TLS, as the did:web host
// stands for the gateway in support/web-verifier.ts), the gateway's own URLs go through untouched,
// and every other host is refused as on a machine without internet. Nothing the gateway answers is
// changed or made up: every answer verifier-core sees is the gateway's, and each request is logged.
// What verifier-core prints to the console meanwhile is kept with the answer.
import { verifyCredential } from '@digitalcredentials/verifier-core';

/** The host of the demo consortium's did:web identifiers (DID_WEB_HOST's default). */
export const DID_WEB_HOST = 'edu.example.cn';

export interface Fetched {
  /** The URL verifier-core asked for. */
  url: string;
  /** Where the request went (the gateway), or undefined when it was refused. */
  sentTo?: string;
  status?: number;
  contentType?: string | null;
}

/** A DCC issuer registry entry as verifier-core's `knownDIDRegistries` takes it. */
export interface KnownRegistry {
  name: string;
  type: 'dcc-legacy';
  url: string;
}

/** What verifier-core answers for one credential (its result is loosely typed), with what it fetched. */
export interface CoreVerification {
  result: {
    credential?: unknown;
    errors?: { name?: string; message: string }[];
    log?: {
      id: string;
      valid?: boolean;
      error?: { name?: string; message: string };
      matchingIssuers?: {
        issuer: { federation_entity: { organization_name?: string; homepage_uri?: string } };
        registry: {
          type?: string;
          federation_entity: { organization_name?: string };
          institution_additional_information?: { legacy_list?: string };
        };
      }[];
      uncheckedRegistries?: KnownRegistry[];
    }[];
  };
  fetched: Fetched[];
  /**
   * What verifier-core printed meanwhile (kept out of the test output): it logs each registry it
   * cannot read and each JSON Schema it cannot fetch, with a stack trace.
   */
  printed: string[];
}

function routed(url: URL, gateway: URL): URL | undefined {
  if (url.origin === gateway.origin) return url;
  if (url.protocol === 'https:' && url.host === DID_WEB_HOST) {
    return new URL(`${url.pathname}${url.search}`, gateway.origin);
  }
  return undefined;
}

/**
 * Verifies `credential` with verifier-core, checking its issuer against `knownDIDRegistries`, with
 * the network as described above; returns verifier-core's answer and every request it made.
 */
export async function verifyWithCore(
  gatewayUrl: string,
  credential: unknown,
  knownDIDRegistries: KnownRegistry[],
): Promise<CoreVerification> {
  const gateway = new URL(gatewayUrl);
  const fetched: Fetched[] = [];
  const realFetch = globalThis.fetch;
  const networkFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const target = routed(new URL(request.url), gateway);
    if (!target) {
      fetched.push({ url: request.url });
      throw new TypeError('fetch failed', {
        cause: new Error(`getaddrinfo ENOTFOUND ${new URL(request.url).hostname} (no internet in tests)`),
      });
    }
    const response = await realFetch(new Request(target, request));
    fetched.push({
      url: request.url,
      sentTo: target.href,
      status: response.status,
      contentType: response.headers.get('content-type'),
    });
    return response;
  };
  const printed: string[] = [];
  const { log, error } = console;
  const print = (...args: unknown[]): void => {
    printed.push(args.map((a) => (a instanceof Error ? String(a) : a)).join(' '));
  };
  globalThis.fetch = networkFetch;
  console.log = print;
  console.error = print;
  try {
    const result = await verifyCredential({
      credential: credential as Parameters<typeof verifyCredential>[0]['credential'],
      knownDIDRegistries,
    });
    return { result: result as CoreVerification['result'], fetched, printed };
  } finally {
    globalThis.fetch = realFetch;
    console.log = log;
    console.error = error;
  }
}
