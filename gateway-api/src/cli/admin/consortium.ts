/**
 * Consortium commands of edu-admin: bring a production consortium up from an empty start and
 * administer it.
 *
 * - `init` works on the DATA_DIR of a STOPPED gateway, opening the stores exactly as the gateway
 *   does (LevelDB admits one process, so a running gateway makes it fail with exit code 3). It
 *   registers the genesis bureau with its MSP admin identity and prints, once, a bureau-admin
 *   token. We chose this over a bootstrap route because it needs no bootstrap secret: whoever may
 *   run commands on the server with the master key is the operator, and there is no window in
 *   which a network caller could race the operator to the genesis.
 * - Every other command calls the running gateway's `/admin` routes with a bearer token
 *   (EDU_ADMIN_TOKEN, or --token-file); the gateway and the registry contract decide.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DomainError, ERROR_CODES, type ErrorCode, type Organization } from '@edu-ledger/domain';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import type { Services } from '../../services/index.js';
import { AdminError, EXIT } from './exit-codes.js';

const DAY_MS = 86_400_000;

const isErrorCode = (code: string): code is ErrorCode => (ERROR_CODES as readonly string[]).includes(code);

/** Whether the program was given --json (a global option). */
const jsonOutput = (command: Command): boolean => command.optsWithGlobals<{ json?: boolean }>().json === true;

/** Prints a result: JSON as is with --json, else the bilingual lines. */
function print(command: Command, json: unknown, lines: string[]): void {
  console.log(jsonOutput(command) ? JSON.stringify(json, null, 2) : lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// init: on the data folder of a stopped gateway

interface InitOptions {
  orgId: string;
  msp: string;
  nameZh: string;
  nameEn: string;
  did?: string;
  days: string;
}

async function init(options: InitOptions, command: Command): Promise<void> {
  const config = productionConfig();
  const days = positiveDays(options.days);
  await withDataDir(config, async (services) => {
    if ((await services.directory.listOrgs()).length > 0) {
      throw new AdminError(
        EXIT.USAGE,
        '联盟已初始化，拒绝再次初始化 / The consortium already exists: init refused (use the /admin commands with a bureau token)',
      );
    }
    const bureau = { orgId: options.orgId, mspId: options.msp, kind: 'bureau' as const };
    const admin = await services.ledger.identity(bureau.mspId, `admin@${bureau.orgId}`, 'admin');
    const result = await services.chaincode.submit(admin, 'registry:RegisterOrganization', {
      ...bureau,
      name: { zh: options.nameZh, en: options.nameEn },
      did: options.did ?? `did:web:${config.DID_WEB_HOST}:orgs:${bureau.orgId}`,
    });
    const org = JSON.parse(result.result) as Organization;
    const { StaffAccessStore } = await import('../../stores/staff-tokens.js');
    const staff = new StaffAccessStore(services.db, services.tokens);
    const now = new Date();
    const { access, token } = await staff.create(
      {
        orgId: org.orgId,
        role: 'bureau-admin',
        name: 'initial administrator',
        createdBy: org.orgId,
        expiresAt: new Date(now.getTime() + days * DAY_MS).toISOString(),
      },
      now,
    );
    print(command, { organization: org, access, token }, [
      `联盟已初始化 / Consortium initialised: ${org.orgId} (${org.name.zh} / ${org.name.en}), ${org.did}`,
      `初始管理员令牌（只显示这一次，请立即妥善保存）/ Initial administrator token (shown this once only; store it now):`,
      token,
      `有效期至 / Valid until ${access.expiresAt}; 用它创建具名管理员后即可吊销 / create named administrators with it, then revoke it: ` +
        `edu-admin staff revoke ${access.accessId}`,
    ]);
  });
}

function productionConfig(): Config {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new AdminError(EXIT.USAGE, `配置无效 / ${error.message}`);
    throw error;
  }
  if (config.EDU_MODE !== 'production') {
    throw new AdminError(
      EXIT.USAGE,
      'init 只用于生产模式（EDU_MODE=production）/ init is for EDU_MODE=production only',
    );
  }
  return config;
}

/**
 * Opens DATA_DIR's stores as main() does (key custody included), runs `work`, and closes them. The
 * stores and services are imported here, not at the top, so that the commands that only call the
 * gateway start without loading them.
 */
async function withDataDir(config: Config, work: (services: Services) => Promise<void>): Promise<void> {
  const { inUse, isLocked, openLedger } = await import('../../ledger.js');
  const { MasterKeyError, locateMasterKey, settleMasterKey } = await import('../../master-key.js');
  const { createServices } = await import('../../services/index.js');
  const { GatewayDb, StoreFormatError } = await import('../../stores/gateway-db.js');
  const { openKeyCustody } = await import('../../stores/key-custody.js');
  process.umask(0o077);
  const dataDir = resolve(config.DATA_DIR);
  try {
    const keySource = locateMasterKey(config, dataDir);
    mkdirSync(dataDir, { recursive: true });
    const db = await GatewayDb.open(join(dataDir, 'gateway')).catch((error: unknown) => {
      throw isLocked(error) ? inUse(join(dataDir, 'gateway')) : error;
    });
    try {
      const { ledger, readerIdentity } = await openLedger(config, dataDir);
      try {
        const storeKey = await openKeyCustody(
          db,
          settleMasterKey(keySource, () => undefined),
        );
        const services = createServices({
          ledger,
          db,
          masterKey: storeKey,
          readerIdentity,
          publicUrl: config.PUBLIC_URL,
        });
        await work(services);
      } finally {
        await ledger.close();
      }
    } finally {
      await db.close();
    }
  } catch (error) {
    if (error instanceof MasterKeyError) throw new AdminError(EXIT.MASTER_KEY, error.message);
    if (error instanceof ConfigError || error instanceof StoreFormatError) {
      throw new AdminError(EXIT.DATA_DIR, error.message);
    }
    throw error;
  }
}

function positiveDays(text: string): number {
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new AdminError(
      EXIT.USAGE,
      `天数须为 1–3650 的整数 / days must be a whole number from 1 to 3650: ${text}`,
    );
  }
  return days;
}

// ---------------------------------------------------------------------------------------------
// The rest: calls of the running gateway's /admin routes

interface GatewayOptions {
  gateway: string;
  tokenFile?: string;
}

function adminToken(options: GatewayOptions): string {
  if (options.tokenFile !== undefined) {
    try {
      return readFileSync(options.tokenFile, 'utf8').trim();
    } catch {
      throw new AdminError(EXIT.USAGE, `无法读取令牌文件 / cannot read the token file ${options.tokenFile}`);
    }
  }
  const token = process.env.EDU_ADMIN_TOKEN;
  if (!token) {
    throw new AdminError(
      EXIT.USAGE,
      '需要管理员令牌：设置 EDU_ADMIN_TOKEN 或 --token-file / an admin token is needed: set EDU_ADMIN_TOKEN or --token-file',
    );
  }
  return token;
}

/** One call of the gateway; a refusal becomes a DomainError with the gateway's stable code. */
async function call(options: GatewayOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = `${options.gateway.replace(/\/$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${adminToken(options)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    if (error instanceof AdminError) throw error;
    throw new AdminError(EXIT.GATEWAY, `无法连接网关 / cannot reach the gateway at ${options.gateway}`);
  }
  const answer: unknown = await response.json().catch(() => undefined);
  if (response.ok) return answer;
  const envelope = answer as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = envelope?.error?.code;
  const message = envelope?.error?.message;
  if (typeof code === 'string' && isErrorCode(code) && typeof message === 'string') {
    throw new DomainError(code, message);
  }
  throw new AdminError(
    EXIT.GATEWAY,
    `网关答复异常 / unexpected answer from the gateway (HTTP ${response.status})`,
  );
}

/** Adds the gateway options to a command. */
function gatewayCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option(
      '--gateway <url>',
      '网关地址 / gateway URL',
      process.env.EDU_GATEWAY_URL ?? 'http://127.0.0.1:8080',
    )
    .option(
      '--token-file <file>',
      '管理员令牌文件（默认 EDU_ADMIN_TOKEN）/ admin token file (default: EDU_ADMIN_TOKEN)',
    );
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

function isoDate(text: string, what: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new AdminError(EXIT.USAGE, `日期无效 / ${what} is not a date: ${text}`);
  return new Date(ms).toISOString();
}

function registerOrgCommands(program: Command): void {
  const org = program
    .command('org')
    .description('机构：注册、列出、认定 / Organisations: register, list, accredit');
  gatewayCommand(org, 'register', '注册机构（教育局管理员）/ Register an organisation (bureau admin)')
    .requiredOption('--org-id <id>', '机构标识 / organisation id')
    .requiredOption('--kind <kind>', 'bureau | school | university | provider | employer')
    .requiredOption('--msp <mspId>', 'MSP 标识 / MSP id')
    .requiredOption('--name-zh <name>', '中文名称 / Chinese name')
    .requiredOption('--name-en <name>', '英文名称 / English name')
    .option('--school-code <code>', '学校标识码（一校一码）/ 10-digit school code')
    .option('--did <did>', 'did:web 标识（默认按 DID_WEB_HOST）/ did:web (default from DID_WEB_HOST)')
    .action(async (o: GatewayOptions & Record<string, string>, command: Command) => {
      const host = process.env.DID_WEB_HOST ?? 'edu.example.cn';
      const request = {
        orgId: o.orgId,
        kind: o.kind,
        mspId: o.msp,
        name: { zh: o.nameZh, en: o.nameEn },
        did: o.did ?? `did:web:${host}:orgs:${o.orgId}`,
        ...(o.schoolCode ? { schoolCode: o.schoolCode } : {}),
      };
      const created = (await call(o, 'POST', '/admin/organizations', request)) as Organization;
      print(command, created, [
        `已注册机构 / Organisation registered: ${created.orgId} (${created.kind}), ${created.did}`,
      ]);
    });
  gatewayCommand(org, 'list', '列出机构 / List organisations').action(
    async (o: GatewayOptions, command: Command) => {
      const orgs = (await call(o, 'GET', '/admin/organizations')) as Organization[];
      print(
        command,
        orgs,
        orgs.map((x) => `${x.orgId}\t${x.kind}\t${x.mspId}\t${x.name.zh} / ${x.name.en}`),
      );
    },
  );
  gatewayCommand(org, 'accredit', '按凭证类型认定机构 / Accredit an organisation per credential type')
    .argument('<orgId>')
    .requiredOption('--types <list>', '凭证类型，逗号分隔 / credential types, comma-separated')
    .option('--id <accreditationId>', '认定标识 / accreditation id')
    .option('--from <date>', '生效日期（默认现在）/ valid from (default: now)')
    .option('--until <date>', '截止日期（默认五年后）/ valid until (default: in five years)')
    .action(
      async (orgId: string, o: GatewayOptions & Record<string, string | undefined>, command: Command) => {
        const now = Date.now();
        const body = {
          accreditationId: o.id ?? `${orgId}-${now.toString(36)}`,
          credentialTypes: list(o.types ?? ''),
          validFrom: o.from ? isoDate(o.from, '--from') : new Date(now).toISOString(),
          validUntil: o.until ? isoDate(o.until, '--until') : new Date(now + 5 * 365 * DAY_MS).toISOString(),
        };
        const accreditation = await call(
          o,
          'POST',
          `/admin/organizations/${encodeURIComponent(orgId)}/accreditations`,
          body,
        );
        print(command, accreditation, [
          `已认定 / Accredited: ${orgId} — ${body.credentialTypes.join(', ')} (${body.validFrom} – ${body.validUntil})`,
        ]);
      },
    );
}

function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('签发密钥：注册、轮换 / Issuer keys: register, rotate');
  for (const [name, rotate] of [
    ['register', false],
    ['rotate', true],
  ] as const) {
    gatewayCommand(
      key,
      name,
      rotate
        ? '轮换本机构签发密钥 / Rotate your organisation’s signing key'
        : '注册本机构签发密钥 / Register your organisation’s signing key',
    )
      .argument('<orgId>')
      .action(async (orgId: string, o: GatewayOptions, command: Command) => {
        const result = (await call(o, 'POST', `/admin/organizations/${encodeURIComponent(orgId)}/keys`, {
          rotate,
        })) as {
          keyId: string;
        };
        print(command, result, [`${rotate ? '已轮换 / Rotated' : '已注册 / Registered'}: ${result.keyId}`]);
      });
  }
}

function registerRoleCommands(program: Command): void {
  const role = program
    .command('role')
    .description(
      '账本上的人员角色（统一身份登录）/ Ledger roles of staff persons (unified identity sign-in)',
    );
  for (const action of ['grant', 'revoke'] as const) {
    gatewayCommand(role, action, action === 'grant' ? '授予角色 / Grant roles' : '撤销角色 / Revoke roles')
      .argument('<orgId>')
      .requiredOption(
        '--person <number>',
        '统一身份人员编号（一人一号）/ person number of the unified identity',
      )
      .requiredOption('--roles <list>', '角色，逗号分隔 / roles, comma-separated')
      .action(
        async (orgId: string, o: GatewayOptions & { person: string; roles: string }, command: Command) => {
          const result = (await call(
            o,
            'POST',
            `/admin/organizations/${encodeURIComponent(orgId)}/roles/${action}`,
            {
              person: o.person,
              roles: list(o.roles),
            },
          )) as { roles: string[] };
          // The person number is not printed back: it is personal data.
          print(command, result, [
            `该人员现有角色 / The person now holds: ${result.roles.join(', ') || '—'}`,
          ]);
        },
      );
  }
}

interface StaffView {
  accessId: string;
  orgId: string;
  role: string;
  name: string;
  expiresAt: string;
}

function registerStaffCommands(program: Command): void {
  const staff = program
    .command('staff')
    .description('具名工作人员的访问令牌 / Named staff members’ access tokens');
  gatewayCommand(staff, 'create', '创建访问令牌（只显示一次）/ Create access (the token is shown once)')
    .requiredOption('--org <orgId>', '机构 / organisation')
    .requiredOption('--role <role>', '角色 / role')
    .requiredOption('--name <name>', '工作人员姓名 / the staff member’s name')
    .option('--days <n>', '有效天数 / days valid', '90')
    .action(
      async (
        o: GatewayOptions & { org: string; role: string; name: string; days: string },
        command: Command,
      ) => {
        const expiresAt = new Date(Date.now() + positiveDays(o.days) * DAY_MS).toISOString();
        const result = (await call(o, 'POST', '/admin/staff', {
          orgId: o.org,
          role: o.role,
          name: o.name,
          expiresAt,
        })) as { access: StaffView; token: string };
        print(command, result, [
          `已创建 / Created: ${result.access.accessId} (${result.access.role}@${result.access.orgId}, 至 / until ${result.access.expiresAt})`,
          '令牌（只显示这一次）/ Token (shown this once only):',
          result.token,
        ]);
      },
    );
  gatewayCommand(staff, 'list', '列出访问令牌 / List access')
    .requiredOption('--org <orgId>', '机构 / organisation')
    .action(async (o: GatewayOptions & { org: string }, command: Command) => {
      const rows = (await call(o, 'GET', `/admin/staff?orgId=${encodeURIComponent(o.org)}`)) as StaffView[];
      const now = Date.now();
      print(
        command,
        rows,
        rows.map(
          (r) =>
            `${r.accessId}\t${r.role}\t${r.name}\t${r.expiresAt}${Date.parse(r.expiresAt) <= now ? '\t已过期 / expired' : ''}`,
        ),
      );
    });
  gatewayCommand(staff, 'revoke', '吊销访问令牌 / Revoke access')
    .argument('<accessId>')
    .action(async (accessId: string, o: GatewayOptions, command: Command) => {
      const result = await call(o, 'DELETE', `/admin/staff/${encodeURIComponent(accessId)}`);
      print(command, result, [`已吊销 / Revoked: ${accessId}`]);
    });
}

export function registerConsortiumCommands(program: Command): void {
  program
    .command('init')
    .description(
      '在已停止网关的数据目录上初始化生产联盟（创世教育局），并一次性打印管理员令牌 / ' +
        'Initialise a production consortium on a stopped gateway’s DATA_DIR (genesis bureau); prints an admin token once',
    )
    .requiredOption('--org-id <id>', '教育局机构标识 / bureau organisation id')
    .requiredOption('--msp <mspId>', '教育局 MSP 标识 / bureau MSP id')
    .requiredOption('--name-zh <name>', '中文名称 / Chinese name')
    .requiredOption('--name-en <name>', '英文名称 / English name')
    .option('--did <did>', 'did:web 标识 / did:web identifier')
    .option('--days <n>', '管理员令牌有效天数 / days the admin token is valid', '7')
    .action(init);
  registerOrgCommands(program);
  registerKeyCommands(program);
  registerRoleCommands(program);
  registerStaffCommands(program);
}
