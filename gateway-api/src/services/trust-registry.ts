import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Accreditation, DomainError, EVENTS, ORG_KINDS, type Organization } from '@edu-ledger/domain';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import type { ChaincodeClient } from './chaincode.js';
import type { Directory } from './directory.js';

/** Where the registry documents are served, below the deployment's public base URL. */
export const DCC_REGISTRY_PATH = '/registry/dcc.json';
export const ISSUER_TRUST_PATH = '/registry/issuers/';

/** An accreditation's standing at one instant, by the same rule the chaincode's CheckAccreditation uses. */
export type AccreditationState = 'active' | 'suspended' | 'not-yet-valid' | 'expired';

export function accreditationState(a: Accreditation, at: Date): AccreditationState {
  const t = at.getTime();
  if (t < Date.parse(a.validFrom)) return 'not-yet-valid';
  if (t >= Date.parse(a.validUntil)) return 'expired';
  const suspended = a.suspensions.some(
    (s) => Date.parse(s.from) <= t && (s.until === undefined || t < Date.parse(s.until)),
  );
  return suspended ? 'suspended' : 'active';
}

const Localised = z.object({ zh: z.string(), en: z.string() });
const Kind = z.enum(ORG_KINDS);

/**
 * One entry of a DCC issuer registry (the "dcc-legacy" format that
 * `@digitalcredentials/issuer-registry-client` and verifier-core read): `name`, `url` and
 * optionally `location` are the format's own fields; the rest is ours, and readers that do not
 * know it ignore it (verifier-core keeps the whole entry as `raw`). No `location`: the ledger
 * records none, and the format does not require one.
 */
export const DccRegistryEntry = z.object({
  name: z
    .string()
    .describe('Both names in one string, as DCC readers show one name: `中文名 / English name`'),
  url: z
    .string()
    .describe("This gateway's public record of the organisation, with its accreditations and keys"),
  names: Localised,
  orgId: z.string(),
  kind: Kind,
  schoolCode: z.string().optional(),
  credentialTypes: z
    .array(z.string())
    .describe('Types the issuer is accredited for now (`VerifiableCredential`: generic credentials)'),
  accreditations: z.array(
    z.object({
      accreditationId: z.string(),
      credentialTypes: z.array(z.string()),
      validFrom: z.string(),
      validUntil: z.string(),
      accreditedBy: z.string().describe('DID of the bureau that granted it'),
    }),
  ),
  trustChain: z.string().describe("URL of the issuer's trust chain (`GET /registry/issuers/{did}`)"),
});
export type DccRegistryEntry = z.infer<typeof DccRegistryEntry>;

export const DccRegistry = z.object({
  meta: z.object({
    created: z.string().describe("When the consortium began: the genesis bureau's registration"),
    updated: z
      .string()
      .describe(
        'The latest change the listing reflects: a registration, or an accreditation granted, suspended, reinstated, begun or ended',
      ),
    name: z.string(),
    names: Localised,
    url: z.string().describe('Where this document is published'),
    source: z.literal('ledger'),
    description: z.string(),
  }),
  registry: z
    .record(z.string(), DccRegistryEntry)
    .describe('Issuer DID → entry; only organisations with at least one accreditation in force now'),
});
export type DccRegistry = z.infer<typeof DccRegistry>;

export const ChainLink = z.object({
  did: z.string(),
  orgId: z.string(),
  kind: Kind,
  name: Localised,
  relation: z
    .enum(['root', 'registered', 'accredited'])
    .describe(
      'How this organisation is tied to the one before it: root (the genesis bureau), registered (a bureau registered by the previous one), accredited (the issuer, accredited by the previous bureau)',
    ),
  since: z.string().describe('When that tie was recorded on the ledger'),
});
export type ChainLink = z.infer<typeof ChainLink>;

export const IssuerTrust = z.object({
  issuer: z.object({
    did: z.string(),
    orgId: z.string(),
    kind: Kind,
    name: Localised,
    schoolCode: z.string().optional(),
    registeredAt: z.string(),
  }),
  asOf: z.string(),
  inRegistry: z
    .boolean()
    .describe('Accredited for at least one type now, and so listed in /registry/dcc.json'),
  registry: z.string(),
  credentialTypes: z.array(
    z.object({
      credentialType: z.string(),
      accredited: z.boolean().describe('Some accreditation for this type is in force now'),
      accreditations: z.array(
        z.object({
          accreditationId: z.string(),
          state: z.enum(['active', 'suspended', 'not-yet-valid', 'expired']),
          validFrom: z.string(),
          validUntil: z.string(),
          suspensions: z.array(
            z.object({ from: z.string(), until: z.string().optional(), reasonCode: z.string() }),
          ),
          chain: z.array(ChainLink).describe('Root bureau first, the issuer last'),
        }),
      ),
    }),
  ),
});
export type IssuerTrust = z.infer<typeof IssuerTrust>;

interface Snapshot {
  orgs: Organization[];
  accreditations: Map<string, Accreditation[]>;
  until: number;
}

const SNAPSHOT_TTL_MS = 5_000;
const TRUST_EVENTS: ReadonlySet<string> = new Set([
  EVENTS.organizationRegistered,
  EVENTS.accreditationGranted,
  EVENTS.accreditationSuspended,
  EVENTS.accreditationReinstated,
]);

/**
 * The ledger's organisations and accreditations as documents other parties read: the consortium's
 * accredited issuers in the DCC issuer-registry format, and each issuer's trust chain (bureau →
 * school, per credential type, with validity). Read from the ledger on demand, held for at most
 * five seconds and dropped as soon as a registration or accreditation event arrives.
 */
export class TrustRegistry {
  private snapshotCache: Promise<Snapshot> | undefined;

  constructor(
    private readonly deps: {
      ledger: Pick<LedgerPort, 'onEvent'>;
      chaincode: ChaincodeClient;
      directory: Directory;
      publicUrl: string;
      now: () => Date;
    },
  ) {
    deps.ledger.onEvent((event) => {
      if (TRUST_EVENTS.has(event.name)) this.snapshotCache = undefined;
    });
  }

  private async snapshot(): Promise<Snapshot> {
    const cached = this.snapshotCache;
    if (cached) {
      try {
        const snapshot = await cached;
        if (snapshot.until > Date.now()) return snapshot;
      } catch {
        // Read again below.
      }
      if (this.snapshotCache === cached) this.snapshotCache = undefined;
    }
    this.snapshotCache ??= this.load();
    return this.snapshotCache;
  }

  private async load(): Promise<Snapshot> {
    const { chaincode, directory } = this.deps;
    const orgs = await directory.listOrgs();
    const lists = await Promise.all(
      orgs.map(async (org) =>
        Accreditation.array().parse(
          await chaincode.evaluate(directory.readerIdentity, 'registry:ListAccreditations', {
            orgId: org.orgId,
          }),
        ),
      ),
    );
    return {
      orgs,
      accreditations: new Map(orgs.map((org, i) => [org.orgId, lists[i] ?? []])),
      until: Date.now() + SNAPSHOT_TTL_MS,
    };
  }

  /** The accredited issuers, in the DCC registry format. */
  async dccRegistry(): Promise<DccRegistry> {
    const now = this.deps.now();
    const { orgs, accreditations } = await this.snapshot();
    const base = this.deps.publicUrl;
    const byId = new Map(orgs.map((o) => [o.orgId, o]));
    const genesis = orgs.find((o) => o.kind === 'bureau' && o.registeredBy === undefined);
    const registry: Record<string, DccRegistryEntry> = {};
    let updated = genesis?.registeredAt ?? now.toISOString();
    const seen = (iso: string | undefined): void => {
      if (iso !== undefined && Date.parse(iso) <= now.getTime() && Date.parse(iso) > Date.parse(updated))
        updated = iso;
    };
    for (const org of [...orgs].sort((a, b) => a.did.localeCompare(b.did))) {
      const all = accreditations.get(org.orgId) ?? [];
      seen(org.registeredAt);
      for (const a of all) {
        for (const iso of [a.createdAt, a.validFrom, a.validUntil]) seen(iso);
        for (const s of a.suspensions) for (const iso of [s.from, s.until]) seen(iso);
      }
      const active = all.filter((a) => accreditationState(a, now) === 'active');
      if (active.length === 0) continue;
      registry[org.did] = {
        name: `${org.name.zh} / ${org.name.en}`,
        url: `${base}/organizations/${org.orgId}`,
        names: { zh: org.name.zh, en: org.name.en },
        orgId: org.orgId,
        kind: org.kind,
        ...(org.schoolCode ? { schoolCode: org.schoolCode } : {}),
        credentialTypes: [...new Set(active.flatMap((a) => a.credentialTypes))].sort(),
        accreditations: active.map((a) => ({
          accreditationId: a.accreditationId,
          credentialTypes: [...a.credentialTypes],
          validFrom: a.validFrom,
          validUntil: a.validUntil,
          accreditedBy: byId.get(a.bureauId)?.did ?? a.bureauId,
        })),
        trustChain: `${base}${ISSUER_TRUST_PATH}${encodeURIComponent(org.did)}`,
      };
    }
    const names = genesis
      ? {
          zh: `${genesis.name.zh}教育凭证账本认可的发证机构`,
          en: `Issuers accredited on the ${genesis.name.en} education credential ledger`,
        }
      : { zh: '教育凭证账本认可的发证机构', en: 'Issuers accredited on the education credential ledger' };
    return {
      meta: {
        created: genesis?.registeredAt ?? updated,
        updated,
        name: `${names.zh} / ${names.en}`,
        names,
        url: `${base}${DCC_REGISTRY_PATH}`,
        source: 'ledger',
        description:
          '由账本上的机构登记与资质认可生成：只列出目前至少有一项有效资质的机构 / Built from the organisations and accreditations on the ledger: only organisations with at least one accreditation in force now',
      },
      registry,
    };
  }

  /** An issuer's accreditations per credential type, each with its chain from the root bureau. */
  async issuerTrust(did: string): Promise<IssuerTrust> {
    const now = this.deps.now();
    const { orgs, accreditations } = await this.snapshot();
    const issuer = orgs.find((o) => o.did === did);
    if (!issuer) {
      throw new DomainError(
        'ORG_NOT_FOUND',
        `账本上没有登记这个 DID 的机构 / no organisation with DID ${did} is registered on this ledger`,
      );
    }
    const byId = new Map(orgs.map((o) => [o.orgId, o]));
    const all = accreditations.get(issuer.orgId) ?? [];
    const types = [...new Set(all.flatMap((a) => a.credentialTypes))].sort();
    const credentialTypes = types.map((credentialType) => {
      const list = all
        .filter((a) => a.credentialTypes.includes(credentialType))
        .map((a) => ({
          accreditationId: a.accreditationId,
          state: accreditationState(a, now),
          validFrom: a.validFrom,
          validUntil: a.validUntil,
          suspensions: a.suspensions.map((s) => ({ ...s })),
          chain: chainTo(issuer, a, byId),
        }));
      return { credentialType, accredited: list.some((a) => a.state === 'active'), accreditations: list };
    });
    return {
      issuer: {
        did: issuer.did,
        orgId: issuer.orgId,
        kind: issuer.kind,
        name: { zh: issuer.name.zh, en: issuer.name.en },
        ...(issuer.schoolCode ? { schoolCode: issuer.schoolCode } : {}),
        registeredAt: issuer.registeredAt,
      },
      asOf: now.toISOString(),
      inRegistry: credentialTypes.some((t) => t.accredited),
      registry: `${this.deps.publicUrl}${DCC_REGISTRY_PATH}`,
      credentialTypes,
    };
  }
}

/**
 * Root bureau → … → accrediting bureau → issuer. Bureaus are followed by who registered them (the
 * genesis bureau registered itself); an organisation seen twice ends the walk, so a malformed
 * registry cannot loop.
 */
function chainTo(
  issuer: Organization,
  a: Accreditation,
  byId: ReadonlyMap<string, Organization>,
): ChainLink[] {
  const link = (org: Organization, relation: ChainLink['relation'], since: string): ChainLink => ({
    did: org.did,
    orgId: org.orgId,
    kind: org.kind,
    name: { zh: org.name.zh, en: org.name.en },
    relation,
    since,
  });
  const bureaus: Organization[] = [];
  const visited = new Set<string>();
  let current = byId.get(a.bureauId);
  while (current && !visited.has(current.orgId)) {
    visited.add(current.orgId);
    bureaus.unshift(current);
    current = current.registeredBy === undefined ? undefined : byId.get(current.registeredBy);
  }
  const chain = bureaus.map((org, i) =>
    link(org, i === 0 && org.registeredBy === undefined ? 'root' : 'registered', org.registeredAt),
  );
  // A bureau accredited by itself is already the last link; otherwise the issuer follows its bureau.
  if (chain.at(-1)?.orgId !== issuer.orgId) chain.push(link(issuer, 'accredited', a.createdAt));
  return chain;
}

/** A strong ETag for a JSON body: its SHA-256. */
export function etagOf(body: string | Buffer): string {
  return `"sha256-${createHash('sha256').update(body).digest('base64url')}"`;
}
