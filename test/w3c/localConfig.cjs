// localConfig.cjs for the W3C / W3C-CCG VC test suites (vc-test-suite-implementations format).
// Copy it into the root of each suite checkout (next to its package.json) and run `npm test` there.
//
//   W3C_IMPL=ours  (default) -> our gateway, issuing as the demo school "school-gen"
//   W3C_IMPL=bare             -> a bare @digitalbazaar/vc + eddsa-rdfc-2022 did:key server
//
//   GATEWAY_URL   base URL the suites call (default https://localhost:18443: auth-proxy.cjs with
//                 TLS in front of the gateway, see README.md; run the suites with
//                 NODE_TLS_REJECT_UNAUTHORIZED=0 for its self-signed certificate)
//   DATA_DIR      the gateway's DATA_DIR (absolute); the token is read from DATA_DIR/demo-tokens.json
//   EDU_TOKEN     or give the bearer token directly
//   BARE_URL      base URL of the bare server  (default https://localhost:18444)
//   BARE_ISSUER   did:key of the bare server's issuer
//
// The suites send each endpoint's `headers` with every request, so no proxy is needed for the
// `Authorization: Bearer …` header that POST /credentials/issue requires.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

// every tag the five suites select endpoints by
const tags = ['vc2.0', 'eddsa-rdfc-2022', 'BitstringStatusList', 'Revocation', 'vc-api'];

function ours() {
  const base = process.env.GATEWAY_URL || 'https://localhost:18443';
  if (!process.env.EDU_TOKEN && !process.env.DATA_DIR) {
    throw new Error("localConfig.cjs: set DATA_DIR (the gateway's, absolute) or EDU_TOKEN");
  }
  const token =
    process.env.EDU_TOKEN ||
    JSON.parse(readFileSync(join(process.env.DATA_DIR, 'demo-tokens.json'), 'utf8'))[
      'school-admin@school-gen'
    ];
  const issuerId = 'did:web:edu.example.cn:orgs:school-gen'; // school-gen's DID (DID_WEB_HOST default)
  return {
    name: 'edu-ledger gateway',
    implementation: 'edu-ledger gateway-api',
    issuers: [
      {
        id: issuerId,
        endpoint: `${base}/credentials/issue`,
        supports: { vc: ['2.0'] },
        tags,
        headers: { Authorization: `Bearer ${token}` },
      },
    ],
    verifiers: [{ id: `${base}/credentials/verify`, endpoint: `${base}/credentials/verify`, tags }],
    vpVerifiers: [{ id: `${base}/presentations/verify`, endpoint: `${base}/presentations/verify`, tags }],
  };
}

function bare() {
  const base = process.env.BARE_URL || 'https://localhost:18444';
  const issuerId = process.env.BARE_ISSUER || 'did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z';
  return {
    name: 'bare digitalbazaar-vc',
    implementation: 'bare @digitalbazaar/vc eddsa-rdfc-2022',
    issuers: [{ id: issuerId, endpoint: `${base}/credentials/issue`, supports: { vc: ['2.0'] }, tags }],
    verifiers: [{ id: `${base}/credentials/verify`, endpoint: `${base}/credentials/verify`, tags }],
    vpVerifiers: [{ id: `${base}/presentations/verify`, endpoint: `${base}/presentations/verify`, tags }],
  };
}

module.exports = {
  settings: { enableInteropTests: false, testAllImplementations: false },
  implementations: [process.env.W3C_IMPL === 'bare' ? bare() : ours()],
};
