import { createHash } from 'node:crypto';
import { EDU_V1_CONTEXT_FILE, EDU_V1_CONTEXT_PATH } from '@edu-ledger/credentials';
import { defineRoute, type RouteSpec } from '../http/route.js';

/**
 * Our JSON-LD context, at the URL credentials name: `${PUBLIC_URL}/contexts/edu/v1`. The bytes are
 * the bundled file the offline loader answers from; they never change under this URL (a new
 * meaning gets a new version), so the answer is cacheable for good and carries its own digest.
 * Verifiers that fetch contexts (VerifierPlus, the Learner Credential Wallet, jsonld.js with a
 * network loader) read it here; ours never fetch it.
 */
export function contextRoutes(): RouteSpec[] {
  const body = Buffer.from(EDU_V1_CONTEXT_FILE.text, 'utf8');
  const digest = createHash('sha256').update(body).digest();
  const headers = {
    'Content-Type': 'application/ld+json',
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: `"sha256-${digest.toString('base64url')}"`,
    // RFC 9530: the digest of exactly these bytes, so a copy can be checked against ours.
    'Content-Digest': `sha-256=:${digest.toString('base64')}:`,
    // A context is public and read by browser wallets and verifiers on other origins.
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'ETag, Content-Digest',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  return [
    defineRoute({
      method: 'get',
      path: EDU_V1_CONTEXT_PATH,
      summary:
        "Our JSON-LD context (v1), immutable: the URL issued credentials name (application/ld+json, ETag and Content-Digest are the file's SHA-256)",
      tag: 'contexts',
      access: 'public',
      responses: {
        200: {
          description: 'The context document (application/ld+json), byte for byte the bundled edu-v1.json',
          contentType: 'application/ld+json',
        },
        304: { description: 'Not modified (If-None-Match matched the ETag)' },
      },
      handle: async ({ res }) => {
        // res.send answers 304 itself when the request's If-None-Match matches the ETag.
        res.status(200).set(headers).send(body);
        return { status: 200, json: null };
      },
    }),
  ];
}
