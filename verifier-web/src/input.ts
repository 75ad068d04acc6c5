import type { PublicRequest as DomainPublicRequest } from '@edu-ledger/domain';
import { isRecord } from './dom.js';

/**
 * A verification request as a holder receives it (in the QR code or the `#request=` link), with
 * the verifier's organisation name for the holder to read (informative only).
 */
export type PublicRequest = DomainPublicRequest & { verifier?: string };

export type Parsed =
  | { kind: 'credential'; value: Record<string, unknown> | string; content: Record<string, unknown> }
  | { kind: 'presentation'; value: Record<string, unknown> | string; content: Record<string, unknown> }
  | { kind: 'request'; value: PublicRequest }
  /** A short request link (`#request=<id or URL>`): the request itself is read from the gateway. */
  | { kind: 'request-ref'; ref: string }
  /** A `#share=<id>` link: the shared credential or presentation is read from the gateway. */
  | { kind: 'share'; id: string }
  | { kind: 'error'; reason: 'unrecognised' | 'badJson'; message?: string };

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Link parameters: JSON as base64url, or deflate-raw then base64url (`z`) for QR-sized links. */
const LINK_PARAMS = ['vc', 'vp', 'vcz', 'vpz', 'request', 'share'] as const;
/** Ids the gateway hands out (UUIDs, short random ids): no dots or slashes, so never a path. */
const SHORT_ID = /^[A-Za-z0-9_-]{6,100}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function base64urlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64urlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function isPublicRequest(value: unknown): value is PublicRequest {
  return (
    isRecord(value) &&
    typeof value['id'] === 'string' &&
    typeof value['challenge'] === 'string' &&
    typeof value['domain'] === 'string' &&
    Array.isArray(value['types']) &&
    typeof value['responseUrl'] === 'string' &&
    /^https?:\/\//.test(value['responseUrl']) &&
    typeof value['expiresAt'] === 'string'
  );
}

function typesOf(value: Record<string, unknown>): string[] {
  const type = value['type'];
  return Array.isArray(type) ? type.filter((x): x is string => typeof x === 'string') : [String(type)];
}

function classifyObject(value: unknown): Parsed {
  if (!isRecord(value)) return { kind: 'error', reason: 'unrecognised' };
  // Wrappers as the gateway and wallets hand them out: {verifiableCredential: ...}.
  if (value['type'] === undefined) {
    if (value['verifiablePresentation'] !== undefined) return classifyAny(value['verifiablePresentation']);
    if (value['verifiableCredential'] !== undefined && !Array.isArray(value['verifiableCredential']))
      return classifyAny(value['verifiableCredential']);
    if (isPublicRequest(value)) return { kind: 'request', value };
  }
  const types = typesOf(value);
  if (types.includes('VerifiablePresentation')) return { kind: 'presentation', value, content: value };
  if (types.includes('VerifiableCredential')) return { kind: 'credential', value, content: value };
  return { kind: 'error', reason: 'unrecognised' };
}

function classifyAny(value: unknown): Parsed {
  return typeof value === 'string' ? classifyJwt(value) : classifyObject(value);
}

/** A VC-JWT or VP-JWT: the gateway decides whether it accepts it; the page only shows the content. */
function classifyJwt(jwt: string): Parsed {
  if (!JWT.test(jwt)) return { kind: 'error', reason: 'unrecognised' };
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(base64urlDecode(jwt.split('.')[1] ?? '')));
  } catch {
    return { kind: 'error', reason: 'unrecognised' };
  }
  if (!isRecord(payload)) return { kind: 'error', reason: 'unrecognised' };
  if (isRecord(payload['vp'])) return { kind: 'presentation', value: jwt, content: payload['vp'] };
  if (isRecord(payload['vc'])) return { kind: 'credential', value: jwt, content: payload['vc'] };
  // VC 2.0 JOSE-secured credentials carry the credential itself as the payload.
  const inner = classifyObject(payload);
  return inner.kind === 'credential' || inner.kind === 'presentation' ? { ...inner, value: jwt } : inner;
}

async function classifyLink(text: string): Promise<Parsed | undefined> {
  let url: URL;
  try {
    url = new URL(text, location.href);
  } catch {
    return undefined;
  }
  const params = new URLSearchParams(url.hash.replace(/^#/, ''));
  for (const name of LINK_PARAMS) {
    const raw = params.get(name) ?? url.searchParams.get(name);
    if (!raw) continue;
    const reference = linkReference(name, raw);
    if (reference) return reference;
    let bytes = base64urlDecode(raw);
    if (name.endsWith('z')) bytes = await inflate(bytes);
    const decoded = new TextDecoder().decode(bytes);
    return parseInput(decoded);
  }
  return undefined;
}

/**
 * Links that name something the gateway keeps rather than carry it: `#share=<id>`, and the short
 * request links `#request=<request URL>` or `#request=<uuid>` (a long `#request=` is base64url JSON).
 */
function linkReference(name: string, raw: string): Parsed | undefined {
  if (name === 'share')
    return SHORT_ID.test(raw) ? { kind: 'share', id: raw } : { kind: 'error', reason: 'unrecognised' };
  if (name !== 'request') return undefined;
  if (/^https?:\/\//.test(raw) || UUID.test(raw)) return { kind: 'request-ref', ref: raw };
  return undefined;
}

/** Reads whatever the person gave: JSON, a JWT or a link carrying either. */
export async function parseInput(input: string): Promise<Parsed> {
  const text = input.trim().replace(/^\uFEFF/, '');
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return classifyObject(JSON.parse(text));
    } catch (error) {
      return { kind: 'error', reason: 'badJson', message: error instanceof Error ? error.message : '' };
    }
  }
  if (JWT.test(text)) return classifyJwt(text);
  if (/^(https?:\/\/|\/|#|\?)/.test(text)) {
    try {
      const linked = await classifyLink(text);
      if (linked) return linked;
    } catch {
      return { kind: 'error', reason: 'unrecognised' };
    }
  }
  return { kind: 'error', reason: 'unrecognised' };
}

/** Does this page's own address carry something to verify (`#vc=`, `?vp=`, `#request=`, …)? */
export function linkInLocation(): string | undefined {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const search = new URLSearchParams(location.search);
  return LINK_PARAMS.some((name) => hash.has(name) || search.has(name)) ? location.href : undefined;
}

/**
 * Finds a QR code in pixels; tries the inverted image too (white-on-black codes). The decoder is
 * loaded on first use: most visits paste or open a link and never need it.
 */
async function scan(image: ImageData): Promise<string | undefined> {
  const { default: jsQR } = await import('jsqr');
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data || undefined;
}

/** Decodes a QR code from an image file on a canvas; big photos are scaled down first. */
export async function decodeQrImage(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return undefined;
  // A white background so transparent PNG codes read as dark-on-light.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return await scan(ctx.getImageData(0, 0, width, height));
}

export function cameraAvailable(): boolean {
  return typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/**
 * Scans QR codes from the camera into `video` until one is found or `stop()` is called. Camera
 * scanning is optional: the caller only offers it when `cameraAvailable()`.
 */
export async function scanCamera(
  video: HTMLVideoElement,
  onFound: (text: string) => void,
): Promise<{ stop: () => void }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  await video.play();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = async (): Promise<void> => {
    if (stopped) return;
    if (ctx && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const found = await scan(ctx.getImageData(0, 0, canvas.width, canvas.height));
      if (found && !stopped) {
        stop();
        onFound(found);
        return;
      }
    }
    requestAnimationFrame(() => void tick());
  };
  requestAnimationFrame(() => void tick());
  return { stop };
}
