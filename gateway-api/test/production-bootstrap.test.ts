import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { freePort, startGatewayProcess, type Run } from './gateway-process.js';
import { achievementRequest } from './harness.js';
import { providerKey, startProvider, type TestProvider } from './oidc-support.js';

/**
 * The issue's "done when": a consortium brought from an empty production start to a school issuing
 * its first credential with commands only — `edu-admin init` on the stopped gateway's DATA_DIR,
 * then `edu-admin` against the running gateway — and a staff member signing in through a real
 * OpenID Connect provider to issue it.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const SCHOOL_CODE = '3101019999';

interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

/** Runs `npm run admin -- --json <args>` (the same entry point) and collects its answer. */
function eduAdmin(args: string[], env: Record<string, string>): Promise<AdminRun> {
  return new Promise((settle) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'gateway-api/src/cli/edu-admin.ts', '--json', ...args],
      { cwd: repoRoot, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 70) : 0;
        settle({ code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> });
      },
    );
  });
}

describe('production bootstrap: from an empty start to a first credential, with commands only', function () {
  this.timeout(600_000);
  let root: string;
  let provider: TestProvider;
  let gateway: Run | undefined;
  let env: Record<string, string>;
  let gatewayUrl: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'edu-bootstrap-'));
    const keyFile = join(root, 'master.key');
    writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    provider = await startProvider(
      {
        'teacher-wang': { school_code: SCHOOL_CODE, person_no: 'P310101000123', role: 'school-admin' },
        'not-granted': { school_code: SCHOOL_CODE, person_no: 'P310101000456', role: 'school-admin' },
      },
      await providerKey(),
    );
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    env = {
      EDU_MODE: 'production',
      DATA_DIR: join(root, 'data'),
      EDU_MASTER_KEY_FILE: keyFile,
      OIDC_ISSUER: provider.issuer,
      OIDC_AUDIENCE: 'urn:edu-ledger:gateway',
      PORT: String(port),
      SIGNING_WORKERS: '0',
      EDU_GATEWAY_URL: gatewayUrl,
    };
  });

  after(async () => {
    if (gateway && !gateway.done) await gateway.kill();
    await provider.close();
    rmSync(root, { recursive: true, force: true });
  });

  const start = async (): Promise<void> => {
    gateway = await startGatewayProcess(env.DATA_DIR ?? '', Number(env.PORT), { env });
    expect(gateway.code, gateway.output()).to.equal(undefined);
  };
  const stop = async (): Promise<void> => {
    gateway?.stop();
    await gateway?.exited;
  };

  it('starts empty, is initialised once, registers a school and lets an OIDC sign-in issue its first credential', async () => {
    // 1. An empty production start: nothing registered, no way in.
    await start();
    const empty = await fetch(`${gatewayUrl}/admin/organizations`);
    expect(empty.status).to.equal(401);

    // 2. init needs the data folder to itself: refused while the gateway runs.
    const busy = await eduAdmin(initArgs, env);
    expect(busy.code, busy.stderr).to.equal(3);
    await stop();
    const init = await eduAdmin(initArgs, env);
    expect(init.code, init.stderr).to.equal(0);
    const bureauToken = init.json().token as string;
    expect(bureauToken).to.match(/^edu_/);
    const again = await eduAdmin(initArgs, env);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('already exists');
    expect(again.stdout).to.not.include('edu_');

    // 3. The rest through the running gateway, with the printed token.
    await start();
    const asBureau = { ...env, EDU_ADMIN_TOKEN: bureauToken };
    const school = await eduAdmin(
      [
        'org',
        'register',
        '--org-id',
        'school-a',
        '--kind',
        'school',
        '--msp',
        'SchoolAMSP',
        '--name-zh',
        '示范市第九中学',
        '--name-en',
        'Demo City No.9 Middle School',
        '--school-code',
        SCHOOL_CODE,
      ],
      asBureau,
    );
    expect(school.code, school.stderr).to.equal(0);
    expect(school.json()).to.include({ orgId: 'school-a', parentBureauId: 'city-bureau' });
    const accredit = await eduAdmin(
      [
        'org',
        'accredit',
        'school-a',
        '--types',
        'VerifiableCredential,OpenBadgeCredential,AchievementCredential',
      ],
      asBureau,
    );
    expect(accredit.code, accredit.stderr).to.equal(0);

    // The bureau gives the school its first administrator: a named staff member with an expiry.
    const staff = await eduAdmin(
      ['staff', 'create', '--org', 'school-a', '--role', 'school-admin', '--name', '李校长', '--days', '30'],
      asBureau,
    );
    expect(staff.code, staff.stderr).to.equal(0);
    const schoolToken = staff.json().token as string;
    const asSchool = { ...env, EDU_ADMIN_TOKEN: schoolToken };
    // A bureau may not register a school's key; the school's own administrator does.
    expect((await eduAdmin(['key', 'register', 'school-a'], asBureau)).code).to.equal(1);
    const key = await eduAdmin(['key', 'register', 'school-a'], asSchool);
    expect(key.code, key.stderr).to.equal(0);
    expect(key.json().keyId).to.equal('did:web:edu.example.cn:orgs:school-a#key-1');

    // The school grants its staff person (unified identity, by person number) the role on the ledger.
    const grant = await eduAdmin(
      ['role', 'grant', 'school-a', '--person', 'P310101000123', '--roles', 'school-admin'],
      asSchool,
    );
    expect(grant.code, grant.stderr).to.equal(0);
    expect(grant.stdout).to.not.include('P310101000123');

    // 4. The staff member signs in at the provider and issues the school's first credential.
    const signIn = await provider.token('teacher-wang');
    const session = await fetch(`${gatewayUrl}/session`, { headers: { authorization: `Bearer ${signIn}` } });
    expect(session.status).to.equal(200);
    expect(await session.json()).to.include({ orgId: 'school-a', role: 'school-admin' });
    const issued = await fetch(`${gatewayUrl}/credentials/issue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signIn}`, 'content-type': 'application/json' },
      body: JSON.stringify(achievementRequest(HOLDER, '第一张凭证 First credential', 'school-a')),
    });
    expect(issued.status, await issued.clone().text()).to.equal(201);
    const { verifiableCredential: credential } = (await issued.json()) as { verifiableCredential: unknown };
    const verified = await fetch(`${gatewayUrl}/credentials/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verifiableCredential: credential, options: { requireTrustedIssuer: true } }),
    });
    const verdict = (await verified.json()) as { verified: boolean; outcome: string };
    expect(verdict).to.include({ verified: true, outcome: 'trusted' });

    // A person the ledger grants nothing is refused, whatever role the provider's token claims.
    const stranger = await fetch(`${gatewayUrl}/credentials/issue`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await provider.token('not-granted')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(achievementRequest(HOLDER, 'x', 'school-a')),
    });
    expect(stranger.status).to.equal(403);
    expect(((await stranger.json()) as { error: { code: string } }).error.code).to.equal('FORBIDDEN_ROLE');

    // 5. Staff access is listed without tokens, and revoked access is refused from then on.
    const listed = await eduAdmin(['staff', 'list', '--org', 'school-a'], asBureau);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.not.include(schoolToken);
    const [row] = listed.json() as unknown as { accessId: string; name: string }[];
    expect(row?.name).to.equal('李校长');
    expect((await eduAdmin(['staff', 'revoke', row?.accessId ?? ''], asBureau)).code).to.equal(0);
    const afterRevoke = await fetch(`${gatewayUrl}/session`, {
      headers: { authorization: `Bearer ${schoolToken}` },
    });
    expect(afterRevoke.status).to.equal(401);
  });
});

const initArgs = [
  'init',
  '--org-id',
  'city-bureau',
  '--msp',
  'CityBureauMSP',
  '--name-zh',
  '示范市教育局',
  '--name-en',
  'Demo City Education Bureau',
];
