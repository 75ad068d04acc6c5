import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Express } from 'express';

/** PEM files for HTTPS (TLS_CERT_FILE, TLS_KEY_FILE). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A listening server that can be drained: no new connections, in-flight requests answered. */
export interface Serving {
  server: Server;
  scheme: 'http' | 'https';
  /** Stops accepting and settles once every request in flight has been answered. */
  drain: () => Promise<void>;
}

/**
 * The HTTP or, given a certificate and key, HTTPS server for the app, listening on host:port.
 * Rejects with the listen error (a port in use) so the caller can say so.
 */
export async function serve(app: Express, port: number, host: string, tls?: TlsFiles): Promise<Serving> {
  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, app)
    : createHttpServer(app);
  const inFlight = trackResponses(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, scheme: tls ? 'https' : 'http', drain: () => drain(server, inFlight) };
}

/** The responses not yet finished, kept so a drain can ask their connections to close. */
function trackResponses(server: Server): Set<ServerResponse> {
  const open = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    open.add(res);
    res.on('close', () => open.delete(res));
  });
  return open;
}

/**
 * server.close() refuses new connections and closes idle keep-alive ones, but a connection whose
 * request is still running would stay open after its answer and hold the close back. So each
 * answer still to come says `Connection: close`, and idle connections are closed again as those
 * answers finish.
 */
function drain(server: Server, inFlight: Set<ServerResponse>): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const res of inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      res.on('close', () => server.closeIdleConnections());
    }
    server.on('request', (_req, res: ServerResponse) => res.setHeader('Connection', 'close'));
    server.closeIdleConnections();
  });
}
