import http from 'node:http';
import https from 'node:https';

/**
 * Runs `action` with fetch and the http(s) request functions replaced by recorders that refuse,
 * and returns what was attempted, so a test can prove that nothing tried to leave the process.
 */
export async function withNetworkRecorded<T>(
  action: () => Promise<T>,
): Promise<{ result: T; attempts: string[] }> {
  const attempts: string[] = [];
  const refuse = (what: string) => (): never => {
    attempts.push(what);
    throw new Error(`network access attempted (${what})`);
  };
  const saved = {
    fetch: globalThis.fetch,
    httpRequest: http.request,
    httpGet: http.get,
    httpsRequest: https.request,
    httpsGet: https.get,
  };
  globalThis.fetch = refuse('fetch');
  http.request = refuse('http.request');
  http.get = refuse('http.get');
  https.request = refuse('https.request');
  https.get = refuse('https.get');
  try {
    return { result: await action(), attempts };
  } finally {
    globalThis.fetch = saved.fetch;
    http.request = saved.httpRequest;
    http.get = saved.httpGet;
    https.request = saved.httpsRequest;
    https.get = saved.httpsGet;
  }
}
