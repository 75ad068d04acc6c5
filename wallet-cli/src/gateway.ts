import { EXIT, WalletError } from './errors.js';

/** Default gateway when neither `--gateway` nor `EDU_GATEWAY_URL` is given. */
export const DEFAULT_GATEWAY = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 20_000;

/** A parsed HTTP answer: status and JSON body (undefined when the body was not JSON). */
export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** The `{error: {code, message}}` envelope every gateway error has, when it has one. */
export function errorOf(body: unknown): { code: string; message: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' ? { code, message: typeof message === 'string' ? message : '' } : undefined;
}

/**
 * Talks JSON over HTTP to the gateway (or to a verifier or offer URL on another host). Network
 * failures, time-outs and non-JSON answers become GATEWAY errors (exit 5); HTTP error statuses are
 * returned for the caller to judge, since what a 404 or 409 means depends on the request.
 */
export class GatewayClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new WalletError(EXIT.USAGE, 'badUrl', { url: baseUrl });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WalletError(EXIT.USAGE, 'badUrl', { url: baseUrl });
    }
    this.baseUrl = url.href.replace(/\/$/, '');
  }

  /** `target` is a path on the gateway (`/organizations`) or an absolute http(s) URL. */
  async request(method: 'GET' | 'POST', target: string, body?: unknown): Promise<HttpAnswer> {
    const url = /^https?:\/\//i.test(target) ? target : `${this.baseUrl}${target}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new WalletError(EXIT.GATEWAY, 'unreachable', { url: new URL(url).origin });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined && response.ok) {
      throw new WalletError(EXIT.GATEWAY, 'badAnswer', { url, status: response.status });
    }
    return { status: response.status, body: parsed };
  }

  /** Like request, but any non-2xx is a refusal (exit 5) naming the gateway's code and message. */
  async ok(method: 'GET' | 'POST', target: string, body?: unknown): Promise<unknown> {
    const answer = await this.request(method, target, body);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw refusal(answer);
  }
}

/** A GATEWAY error for an HTTP refusal, with the gateway's own code and message when present. */
export function refusal(answer: HttpAnswer): WalletError {
  const error = errorOf(answer.body);
  return new WalletError(EXIT.GATEWAY, 'refused', {
    status: answer.status,
    code: error?.code ?? 'HTTP',
    message: error?.message ?? '',
  });
}
