import { deflateRawSync } from 'node:zlib';
import { z } from 'zod';

/** A terminal is assumed to be this wide: a QR code wider than this wraps and cannot be scanned. */
export const TERMINAL_COLUMNS = 80;

/** The gateway's answer to `POST /shares`. */
export const ShareCreated = z.object({
  id: z.string(),
  url: z.url(),
  verifyUrl: z.url(),
  expiresAt: z.string(),
});
export type ShareCreated = z.infer<typeof ShareCreated>;

/**
 * The verifier page's compact link for a credential: `<gateway>/verify/#vcz=` then the credential
 * (its JSON, or a vc+jwt's compact JWS) deflated raw and base64url-encoded, as the page reads it.
 */
export function compactVerifyLink(gatewayBase: string, payload: string): string {
  return `${gatewayBase}/verify/#vcz=${deflateRawSync(Buffer.from(payload, 'utf8'), { level: 9 }).toString('base64url')}`;
}

const qrcode = async () => (await import('qrcode')).default;

/**
 * Columns the terminal QR of `text` takes: qrcode's small renderer draws two modules per
 * character cell vertically and one per column, plus one quiet column on each side.
 */
export async function terminalQrColumns(text: string): Promise<number> {
  try {
    return (await qrcode()).create(text, { errorCorrectionLevel: 'L' }).modules.size + 2;
  } catch {
    // Over a QR code's capacity altogether.
    return Number.POSITIVE_INFINITY;
  }
}

/** The QR code of `text` for a terminal, in half-block characters. */
export async function terminalQr(text: string): Promise<string> {
  return (await qrcode()).toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
}
