// auth-proxy.cjs — a tiny reverse proxy in front of the gateway for the W3C test suites.
//
// Why: vc-data-model-2.0-test-suite posts to plain-http endpoints with its own http.request()
// and ignores the `headers` of localConfig.cjs, so POST /credentials/issue would get 401.
// This proxy adds `Authorization: Bearer <token>` to every request that has none and forwards
// it unchanged to the gateway. Optionally it appends each exchange to a JSON-lines log.
//
//   LISTEN  port to listen on (127.0.0.1)          default 18481
//   TARGET  the gateway                             default http://127.0.0.1:18480
//   DATA_DIR the gateway's DATA_DIR (token = demo-tokens.json['school-admin@school-gen'])
//   EDU_TOKEN the bearer token, instead of DATA_DIR
//   LOG     optional file: one JSON line {method,url,status,req,res} per exchange
//   TLS_CERT, TLS_KEY  optional PEM files: serve HTTPS instead of HTTP. Needed for the
//           Bitstring Status List suite, whose document loader fetches status lists over https
//           only: start the gateway with PUBLIC_URL=https://localhost:<LISTEN> behind it.
//
//   node test/w3c/auth-proxy.cjs
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const path = require('node:path');

const LISTEN = Number(process.env.LISTEN || 18481);
const TARGET = new URL(process.env.TARGET || 'http://127.0.0.1:18480');
const TOKEN =
  process.env.EDU_TOKEN ||
  JSON.parse(fs.readFileSync(path.join(process.env.DATA_DIR || './data', 'demo-tokens.json'), 'utf8'))[
    'school-admin@school-gen'
  ];
const LOG = process.env.LOG;

const tls =
  process.env.TLS_CERT && process.env.TLS_KEY
    ? { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }
    : null;
const handler = (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = { ...req.headers, host: TARGET.host };
    if (!headers.authorization) headers.authorization = `Bearer ${TOKEN}`;
    const up = http.request(
      { hostname: TARGET.hostname, port: TARGET.port, method: req.method, path: req.url, headers },
      (upRes) => {
        const out = [];
        upRes.on('data', (c) => out.push(c));
        upRes.on('end', () => {
          const resBody = Buffer.concat(out);
          if (LOG) {
            fs.appendFileSync(
              LOG,
              JSON.stringify({
                t: new Date().toISOString(),
                method: req.method,
                url: req.url,
                status: upRes.statusCode,
                req: body.toString(),
                res: resBody.toString(),
              }) + '\n',
            );
          }
          res.writeHead(upRes.statusCode, upRes.headers);
          res.end(resBody);
        });
      },
    );
    up.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
    up.end(body);
  });
};
(tls ? https.createServer(tls, handler) : http.createServer(handler)).listen(LISTEN, '127.0.0.1', () =>
  console.log(`auth-proxy ${tls ? 'https' : 'http'} :${LISTEN} -> ${TARGET.origin}`),
);
