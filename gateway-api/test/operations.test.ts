import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { createApp } from '../src/app.js';
import { createLogger, logContext } from '../src/logger.js';
import { WorkerPoolSigner } from '../src/services/signer.js';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

/** One sample of a Prometheus text exposition: name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus's text format (the lines that are samples; comments are skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      if (key !== undefined && value !== undefined) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of every sample of `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** A second app over a harness gateway's services, given what main() gives its own. */
async function listenApp(
  gw: Gateway,
  options: { signer?: WorkerPoolSigner; metricsToken?: string } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = createApp({
    services: gw.services,
    logger: createLogger('silent'),
    publicUrl: gw.url,
    ...options,
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/metrics`, { headers });
}

describe('operations: /metrics', function () {
  this.timeout(120_000);
  const signer = new WorkerPoolSigner(2);
  let gw: Gateway;
  let holder: string;

  before(async () => {
    gw = await startGateway({ signer });
    holder = (await didKeyFromSeed(new Uint8Array(32).fill(9))).did;
  });
  after(() => gw.close());

  it('counts requests by route and status, and times issuance, anchors and their batches under load', async () => {
    const served = await listenApp(gw, { signer });
    try {
      const token = gw.tokens['school-admin@school-gen'] ?? '';
      const issueOne = (): Promise<Response> =>
        fetch(`${served.url}/credentials/issue`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(achievementRequest(holder)),
        });
      // Scrapes while the 50 issuances run: /metrics answers under load.
      const issuing = Promise.all(Array.from({ length: 50 }, issueOne));
      const during = await scrape(served.url);
      const responses = await issuing;
      expect(during.status).to.equal(200);
      expect(responses.map((r) => r.status)).to.deep.equal(Array(50).fill(201));
      const issued = (await responses[0]?.json()) as { verifiableCredential: { id: string } };
      const id = issued.verifiableCredential.id;
      await fetch(`${served.url}/credentials/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await fetch(`${served.url}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: issued.verifiableCredential }),
      });

      const response = await scrape(served.url);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
      const text = await response.text();
      const samples = parseMetrics(text);
      const issue = { method: 'POST', route: '/credentials/issue', status: '201' };
      expect(total(samples, 'edu_http_requests_total', issue)).to.be.at.least(50);
      expect(
        total(samples, 'edu_issuance_duration_seconds_count', { route: '/credentials/issue', status: '201' }),
      ).to.be.at.least(50);
      expect(
        total(samples, 'edu_verification_duration_seconds_count', { route: '/credentials/verify' }),
      ).to.equal(1);
      // Every issuance was anchored in some batch: the batch sizes add up to at least 50.
      expect(total(samples, 'edu_anchor_batch_size_count')).to.be.at.least(1);
      expect(total(samples, 'edu_anchor_batch_size_sum')).to.be.at.least(50);
      expect(
        total(samples, 'edu_ledger_commit_duration_seconds_count', { outcome: 'committed' }),
      ).to.be.at.least(1);
      // Queues are drained once every answer is in; the gauges are there.
      for (const gauge of ['edu_anchor_queue_depth', 'edu_anchor_in_flight', 'edu_signing_queue_depth'])
        expect(samples.some((s) => s.name === gauge)).to.equal(true, gauge);
      // Route patterns, never raw paths: the credential's id appears in no label.
      expect(
        total(samples, 'edu_http_requests_total', { method: 'GET', route: '/credentials/:id' }),
      ).to.equal(1);
      expect(text).to.not.include(id);
    } finally {
      await served.close();
    }
  });

  it('reports the signing queue while jobs are in the worker pool', async () => {
    const pool = new WorkerPoolSigner(1);
    try {
      const key = await gw.services.keys.current('school-gen');
      const credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: 'did:web:edu.example.cn:orgs:school-gen',
        credentialSubject: { id: holder },
      };
      const signing = Promise.all(
        Array.from({ length: 5 }, () => pool.sign(credential as never, key, new Date())),
      );
      expect(pool.queueDepth()).to.equal(5);
      await signing;
      expect(pool.queueDepth()).to.equal(0);
    } finally {
      await pool.close();
    }
  });

  it('answers loopback callers without a token, and refuses a proxied one', async () => {
    expect((await scrape(gw.url)).status).to.equal(200);
    const proxied = await scrape(gw.url, { 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.status).to.equal(403);
    expect(((await proxied.json()) as { error: { code: string } }).error.code).to.equal('FORBIDDEN_ROLE');
  });

  it('requires METRICS_TOKEN when one is set', async () => {
    const served = await listenApp(gw, { metricsToken: 'metrics-token-0123456789' });
    try {
      expect((await scrape(served.url)).status).to.equal(401);
      expect((await scrape(served.url, { authorization: 'Bearer wrong-token-0123456789' })).status).to.equal(
        401,
      );
      const ok = await scrape(served.url, { authorization: 'Bearer metrics-token-0123456789' });
      expect(ok.status).to.equal(200);
      expect(await ok.text()).to.include('edu_http_requests_total');
    } finally {
      await served.close();
    }
  });
});

describe('operations: request ids and logs', function () {
  this.timeout(60_000);
  let gw: Gateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  const linesWith = (text: string): Record<string, unknown>[] =>
    gw.logLines.filter((l) => l.includes(text)).map((l) => JSON.parse(l) as Record<string, unknown>);

  it("returns the caller's sane X-Request-Id and logs the request with it", async () => {
    const response = await fetch(`${gw.url}/organizations/no-such-org`, {
      headers: { 'x-request-id': 'trace-4f1c2b7e' },
    });
    expect(response.headers.get('x-request-id')).to.equal('trace-4f1c2b7e');
    const lines = linesWith('trace-4f1c2b7e');
    expect(lines.map((l) => l['msg'])).to.include('request');
    expect(lines.find((l) => l['msg'] === 'request')).to.include({
      route: '/organizations/:orgId',
      status: 404,
    });
  });

  it('makes an id when none, or a number that could be a person’s, is given', async () => {
    for (const given of [undefined, '110101201001011234', '11010120100101123X', 'bad id with spaces']) {
      const response = await fetch(`${gw.url}/health`, { headers: given ? { 'x-request-id': given } : {} });
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).to.match(/^[0-9a-f-]{36}$/);
      if (given) expect(gw.logLines.join('')).to.not.include(given);
    }
  });

  it('puts the request id on every line logged while serving it, from any module', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    logContext.run({ requestId: 'req-12345678' }, () => {
      logger.info('first');
      logger.child({ component: 'anchorer' }).warn('second');
    });
    logger.info('outside');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((l) => l['requestId'])).to.deep.equal(['req-12345678', 'req-12345678', undefined]);
  });

  it('logs no personal field of a registered student; the request lines carry its id', async () => {
    const response = await fetch(`${gw.url}/subjects`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gw.tokens['school-admin@school-gen']}`,
        'content-type': 'application/json',
        'x-request-id': 'trace-subject-01',
      },
      body: JSON.stringify({
        name: '李小红',
        idNumber: '31010120080101123X',
        studentNumber: 'G31010120080101123',
        birthDate: '2008-01-01',
        did: (await didKeyFromSeed(new Uint8Array(32).fill(11))).did,
      }),
    });
    expect(response.status).to.equal(201);
    const log = gw.logLines.join('');
    for (const personal of ['李小红', '31010120080101123X', 'G31010120080101123', '2008-01-01'])
      expect(log).to.not.include(personal);
    expect(linesWith('trace-subject-01').length).to.be.at.least(1);
  });
});

describe('operations: /health and /ready', function () {
  this.timeout(60_000);
  let gw: Gateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it('answers /ready with every check passed while the stores are open', async () => {
    const ready = await gw.call('GET', '/ready');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({
      status: 'ready',
      checks: { ledger: 'ok', vault: 'ok', integrity: 'ok', accepting: 'ok' },
    });
    expect((await gw.call('GET', '/health')).status).to.equal(200);
  });

  it('answers /ready 503 while a graceful stop drains, so a balancer sends nothing new', async () => {
    gw.services.lifecycle.draining = true;
    try {
      const ready = await gw.call('GET', '/ready');
      expect(ready.status).to.equal(503);
      expect(ready.body.checks).to.deep.include({ accepting: 'failed', ledger: 'ok', vault: 'ok' });
    } finally {
      gw.services.lifecycle.draining = false;
    }
  });

  it('answers /ready 503 naming the ledger once it is closed, while /health stays alive', async () => {
    await gw.ledger.close();
    const ready = await gw.call('GET', '/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body.status).to.equal('not-ready');
    expect(ready.body.checks.ledger).to.equal('failed');
    expect(ready.body.checks.vault).to.equal('ok');
    expect((await gw.call('GET', '/health')).status).to.equal(200);
  });

  it('answers /ready 503 naming the vault once the gateway store is closed', async () => {
    await gw.services.db.close();
    const ready = await gw.call('GET', '/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body.checks.vault).to.equal('failed');
  });
});
