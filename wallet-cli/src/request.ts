import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { EXIT, WalletError } from './errors.js';

/**
 * A verifier's verification request, as the verifier page shows it: a link
 * `…/verify/#request=<request URL>` (the page's QR carries this short form; the wallet fetches the
 * request from the gateway, no token needed), `#request=<request id>` (at the link's own origin),
 * or the older `#request=<base64url JSON>`; also `?request=`, or that link in a QR code. The wallet
 * takes the challenge, domain and answer address from it, so nothing is copied by hand.
 */
export const VerificationRequest = z.object({
  id: z.string().min(1).max(100),
  challenge: z.string().min(8).max(200),
  domain: z.string().min(1).max(200),
  types: z.array(z.string()).max(20),
  responseUrl: z.url({ protocol: /^https?$/ }),
  expiresAt: z.iso.datetime(),
});
export type VerificationRequest = z.infer<typeof VerificationRequest>;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The request in a link, or in a PNG picture of its QR code (a file path). */
export async function readRequest(input: string): Promise<VerificationRequest> {
  const file = await readFile(input).catch(() => undefined);
  const text = (file === undefined ? input : await textOfFile(file, input)).trim();
  const where = requestUrl(text);
  return where === undefined ? parseRequestText(text, input) : fetchRequest(where, input);
}

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where to fetch the request from, when the link names it by URL or id rather than carrying it. */
function requestUrl(text: string): URL | undefined {
  let link: URL;
  try {
    link = new URL(text);
  } catch {
    return undefined;
  }
  const raw =
    new URLSearchParams(link.hash.replace(/^#/, '')).get('request') ?? link.searchParams.get('request');
  if (raw === null) return undefined;
  if (REQUEST_ID.test(raw)) return new URL(`/verification-requests/${raw}`, link.origin);
  if (!/^https?:\/\//.test(raw)) return undefined;
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** The request as the gateway shows it to anyone holding its link (`{ request, status }`). */
async function fetchRequest(url: URL, shown: string): Promise<VerificationRequest> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch {
    throw new WalletError(EXIT.GATEWAY, 'unreachable', { url: url.origin });
  }
  const body = (await response.json().catch(() => undefined)) as { request?: unknown } | undefined;
  const parsed = VerificationRequest.safeParse(body?.request);
  if (!response.ok || !parsed.success)
    throw new WalletError(EXIT.USAGE, 'badRequestLink', { input: shorten(shown) });
  return parsed.data;
}

async function textOfFile(bytes: Buffer, file: string): Promise<string> {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return bytes.toString('utf8');
  const decoded = await decodeQrPng(bytes);
  if (decoded === undefined) throw new WalletError(EXIT.USAGE, 'noQrFound', { file });
  return decoded;
}

/** The text of the QR code in a PNG image (pngjs to pixels, jsqr to text); undefined if none. */
export async function decodeQrPng(bytes: Buffer): Promise<string | undefined> {
  const [{ PNG }, jsqr] = await Promise.all([import('pngjs'), import('jsqr')]);
  // jsqr is CommonJS with an `exports.default`: from an ES module that is `default.default`.
  const jsQR = jsqr.default.default;
  let image: { data: Buffer; width: number; height: number };
  try {
    image = PNG.sync.read(bytes);
  } catch {
    return undefined;
  }
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(pixels, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data || undefined;
}

/** A request link (`#request=` or `?request=`), or the request's JSON itself. */
export function parseRequestText(text: string, shown: string): VerificationRequest {
  let json: unknown;
  try {
    json = JSON.parse(text.startsWith('{') ? text : requestParam(text));
  } catch {
    throw new WalletError(EXIT.USAGE, 'badRequestLink', { input: shorten(shown) });
  }
  const parsed = VerificationRequest.safeParse(json);
  if (!parsed.success) throw new WalletError(EXIT.USAGE, 'badRequestLink', { input: shorten(shown) });
  return parsed.data;
}

function requestParam(link: string): string {
  const url = new URL(link);
  const raw =
    new URLSearchParams(url.hash.replace(/^#/, '')).get('request') ?? url.searchParams.get('request');
  if (raw === null) throw new Error('no request parameter');
  return Buffer.from(raw, 'base64url').toString('utf8');
}

/** Links can be long; a message names only their start. */
function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
