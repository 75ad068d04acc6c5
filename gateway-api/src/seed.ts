import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADMIN_ROLE_BY_KIND,
  DomainError,
  type SubmitName,
  type TransactionRequest,
  ROLES_BY_KIND,
  SEED_DIMENSION_SETS,
  type Organization,
  type OrgKind,
  type RegisterOrganizationRequest,
} from '@edu-ledger/domain';
import type { Services } from './services/index.js';
import { identityForRole } from './services/directory.js';

interface DemoOrg {
  orgId: string;
  kind: OrgKind;
  mspId: string;
  zh: string;
  en: string;
  schoolCode?: string;
}

/** The demo consortium: one bureau and the institutions under it. */
export const DEMO_ORGS: readonly DemoOrg[] = [
  {
    orgId: 'bureau',
    kind: 'bureau',
    mspId: 'BureauMSP',
    zh: '示范市教育局',
    en: 'Demo City Education Bureau',
  },
  {
    orgId: 'school-gen',
    kind: 'school',
    mspId: 'SchoolGenMSP',
    zh: '示范市第一高级中学',
    en: 'Demo City No.1 High School',
    schoolCode: '3101010001',
  },
  {
    orgId: 'school-voc',
    kind: 'school',
    mspId: 'SchoolVocMSP',
    zh: '示范市职业技术学校',
    en: 'Demo City Vocational High School',
    schoolCode: '3101010002',
  },
  { orgId: 'university', kind: 'university', mspId: 'UniversityMSP', zh: '示范大学', en: 'Demo University' },
  {
    orgId: 'provider',
    kind: 'provider',
    mspId: 'ProviderMSP',
    zh: '示范市教师进修学校',
    en: 'Demo City Teacher Training School',
  },
];

/** Credential types each school is accredited for in the demo. */
export const DEMO_SCHOOL_TYPES = [
  // Generic credentials: any type the region does not regulate (see accreditationsNeeded).
  'VerifiableCredential',
  'AchievementCredential',
  'OpenBadgeCredential',
  'GrowthTermReport',
  'GrowthArchiveReport',
  'CreditTransferCredential',
  'PdCycleSummaryCredential',
  // CLR 2.0: the whole growth archive and a learner's credit-bank statement.
  'ClrCredential',
];

/** Credential types the demo training provider is accredited for. */
export const DEMO_PROVIDER_TYPES = ['PdCompletionCredential', 'OpenBadgeCredential', 'AchievementCredential'];

/** Demo conversion rules: a five-year cycle of 72 credits, 10 hours a credit (5 for open lessons), caps per kind. */
type DemoPdRules = TransactionRequest<'pd:DefineRules'>;

export function demoPdRules(year: number): DemoPdRules {
  const kind = (
    k: DemoPdRules['kinds'][number]['kind'],
    zh: string,
    en: string,
    hoursPerCredit: number,
    capCredits: number,
  ) => ({
    kind: k,
    label: { zh, en },
    hoursPerCredit,
    capCredits,
  });
  return {
    version: `pd-${year - 1}`,
    effectiveFrom: new Date(Date.UTC(year - 1, 0, 1)).toISOString(),
    cycleYears: 5,
    requiredCredits: 72,
    creditUnit: '学分',
    kinds: [
      kind('centralised', '集中培训', 'Centralised training', 10, 72),
      kind('online', '远程（网络）培训', 'Online training', 10, 24),
      kind('school-based-research', '校本研修', 'School-based research', 10, 24),
      kind('informal-learning', '团队研修与自主学习', 'Team research and informal learning', 10, 12),
      kind('resource-building', '数字教学资源建设', 'Building digital teaching resources', 10, 12),
      kind('open-lesson', '公开课', 'Open lessons', 5, 12),
    ],
  };
}

export function demoDid(host: string, orgId: string): string {
  return `did:web:${host}:orgs:${orgId}`;
}

const seededMarker = 'demo-seeded';

export async function isSeeded(services: Services): Promise<boolean> {
  return (await services.db.counters.get(seededMarker)) !== undefined;
}

/**
 * Seeds the demo consortium: organisations, accreditations, role grants, one signing key per
 * organisation registered on the ledger, and an API token per role. Returns the tokens as
 * `{ "<role>@<orgId>": token }` and writes them to DATA_DIR/demo-tokens.json.
 *
 * On Fabric several gateways share one ledger and each holds only its own organisations'
 * identities: the gateway that holds the bureau registers the consortium (once), and every gateway
 * grants roles, registers keys and issues tokens for the organisations it holds.
 */
export async function seedDemo(
  services: Services,
  opts: { dataDir: string; didHost: string; now: Date },
): Promise<Record<string, string>> {
  const held = await heldOrgs(services);
  if (!(await isRegistered(services))) {
    if (!held.some((o) => o.kind === 'bureau')) {
      throw new Error('the demo consortium is not registered yet: start the bureau gateway first');
    }
    await registerConsortium(services, opts);
  }
  const tokens: Record<string, string> = {};
  for (const demo of held) {
    const org = await services.directory.org(demo.orgId);
    Object.assign(tokens, await enrolOrg(services, org));
  }
  writeFileSync(join(opts.dataDir, 'demo-tokens.json'), `${JSON.stringify(tokens, null, 2)}\n`, {
    mode: 0o600,
  });
  await services.db.put(services.db.counters, seededMarker, opts.now.toISOString());
  return tokens;
}

/** The demo organisations whose admin identity this gateway's ledger client holds. */
async function heldOrgs(services: Services): Promise<DemoOrg[]> {
  const out: DemoOrg[] = [];
  for (const org of DEMO_ORGS) {
    try {
      await identityForRole(services.ledger, org, ADMIN_ROLE_BY_KIND[org.kind]);
      out.push(org);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) throw error;
    }
  }
  return out;
}

async function isRegistered(services: Services): Promise<boolean> {
  try {
    await services.directory.org(DEMO_ORGS[0]?.orgId ?? 'bureau');
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'ORG_NOT_FOUND') return false;
    throw error;
  }
}

/** The bureau's part: organisations, accreditations, PD rules and dimension sets. */
async function registerConsortium(services: Services, opts: { didHost: string; now: Date }): Promise<void> {
  const { ledger } = services;
  const bureauAdmin = await identityForRole(
    ledger,
    { orgId: 'bureau', mspId: 'BureauMSP', kind: 'bureau' },
    'bureau-admin',
  );
  const submit = <N extends SubmitName>(fn: N, request: TransactionRequest<N>) =>
    services.chaincode.submit(bureauAdmin, fn, request);
  for (const demo of DEMO_ORGS) {
    const request: RegisterOrganizationRequest = {
      orgId: demo.orgId,
      kind: demo.kind,
      mspId: demo.mspId,
      name: { zh: demo.zh, en: demo.en },
      did: demoDid(opts.didHost, demo.orgId),
      ...(demo.schoolCode ? { schoolCode: demo.schoolCode } : {}),
    };
    await submit('registry:RegisterOrganization', request);
  }
  const year = opts.now.getUTCFullYear();
  const validity = {
    validFrom: new Date(Date.UTC(year - 1, 0, 1)).toISOString(),
    validUntil: new Date(Date.UTC(year + 5, 0, 1)).toISOString(),
  };
  for (const org of DEMO_ORGS.filter((o) => o.kind === 'school')) {
    await submit('registry:Accredit', {
      accreditationId: `${org.orgId}-ob3`,
      orgId: org.orgId,
      credentialTypes: DEMO_SCHOOL_TYPES,
      ...validity,
    });
  }
  for (const org of DEMO_ORGS.filter((o) => o.kind === 'provider')) {
    await submit('registry:Accredit', {
      accreditationId: `${org.orgId}-pd`,
      orgId: org.orgId,
      credentialTypes: DEMO_PROVIDER_TYPES,
      ...validity,
    });
  }
  await submit('pd:DefineRules', demoPdRules(year));
  for (const set of SEED_DIMENSION_SETS) await submit('growth:DefineDimensionSet', set);
}

/** One organisation's part: role grants for its staff identities, a token per role, a signing key. */
async function enrolOrg(services: Services, org: Organization): Promise<Record<string, string>> {
  const { ledger } = services;
  const adminRole = ADMIN_ROLE_BY_KIND[org.kind];
  const admin = await identityForRole(ledger, org, adminRole);
  const tokens: Record<string, string> = {};
  for (const role of ROLES_BY_KIND[org.kind]) {
    if (role !== adminRole) {
      await services.chaincode.submit(admin, 'registry:GrantRoles', {
        identityId: (await identityForRole(ledger, org, role)).id,
        roles: [role],
      });
    }
    tokens[`${role}@${org.orgId}`] = await services.tokens.create({ orgId: org.orgId, role, label: 'demo' });
  }
  await services.keys.createKey(org);
  return tokens;
}
