import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP } from 'node:net';
import type { Request } from 'express';

/**
 * The origin (scheme and host) a request arrived at, kept for the length of its handler so that a
 * holder's proof may name the gateway the way the wallet reached it (`http://127.0.0.1:8080`) as
 * well as by its PUBLIC_URL (`http://localhost:8080`), without every route passing it along.
 */
const arrival = new AsyncLocalStorage<string | undefined>();

/** Runs `work` with the origin `req` arrived at available to {@link currentArrivalOrigin}. */
export function withArrivalOrigin<T>(req: Request, work: () => T): T {
  return arrival.run(arrivalOriginOf(req), work);
}

/** The origin the request being handled arrived at, when it is known to be this gateway's. */
export function currentArrivalOrigin(): string | undefined {
  return arrival.getStore();
}

/**
 * The request's scheme and Host header as an origin, but only when the Host names the address and
 * port the connection really reached (an IP literal, or `localhost` on a loopback address). A Host
 * header is the client's to write: trusting any name in it would let a proof signed for another
 * server (`aud` = https://elsewhere/holder/consents) be replayed here with `Host: elsewhere`.
 * A gateway reached by a DNS name is named by PUBLIC_URL instead.
 */
export function arrivalOriginOf(req: Request): string | undefined {
  const host = req.get('host');
  const { localAddress, localPort } = req.socket;
  if (host === undefined || localAddress === undefined || localPort === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(`${req.protocol}://${host}`);
  } catch {
    return undefined;
  }
  // Anything beyond host[:port] (credentials, a path) means the header was not a plain host.
  if (url.host !== host.toLowerCase() || url.pathname !== '/') return undefined;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (port !== localPort || !namesAddress(url.hostname, localAddress)) return undefined;
  return url.origin;
}

/** Whether `hostname` (as URL writes it: IPv6 in brackets) is `address`, or localhost on loopback. */
function namesAddress(hostname: string, address: string): boolean {
  const local = address.replace(/^::ffff:(?=\d+\.)/, '');
  if (hostname === 'localhost') return isLoopback(local);
  const literal = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(literal) !== 0 && literal === local;
}

function isLoopback(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}
