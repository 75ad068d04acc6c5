import { ADMIN_ROLE_BY_KIND, Organization, type ClientIdentity } from '@edu-ledger/domain';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import type { ChaincodeClient } from './chaincode.js';
import type { Principal } from '../stores/tokens.js';

/**
 * Who is who on the ledger: organisations (read from the registry, cached briefly because they
 * change rarely) and the ledger identity the gateway uses for each caller's organisation and role.
 */
export class Directory {
  private readonly cache = new Map<string, { org: Organization; until: number }>();

  constructor(
    private readonly chaincode: ChaincodeClient,
    /** Read-only queries run as this identity: reads are open to every consortium member. */
    readonly readerIdentity: ClientIdentity,
    private readonly ttlMs = 5_000,
  ) {}

  async org(orgId: string): Promise<Organization> {
    const hit = this.cache.get(`id:${orgId}`);
    if (hit && hit.until > Date.now()) return hit.org;
    const org = Organization.parse(
      JSON.parse(
        await this.chaincode.evaluateText(this.readerIdentity, 'registry:GetOrganization', { orgId }),
      ),
    );
    this.remember(org);
    return org;
  }

  async orgByDid(did: string): Promise<Organization> {
    const hit = this.cache.get(`did:${did}`);
    if (hit && hit.until > Date.now()) return hit.org;
    const org = Organization.parse(
      JSON.parse(
        await this.chaincode.evaluateText(this.readerIdentity, 'registry:GetOrganizationByDid', { did }),
      ),
    );
    this.remember(org);
    return org;
  }

  async listOrgs(): Promise<Organization[]> {
    const raw: unknown = JSON.parse(
      await this.chaincode.evaluateText(this.readerIdentity, 'registry:ListOrganizations', undefined),
    );
    return Organization.array().parse(raw);
  }

  /** The ledger identity acting for a principal: the MSP admin for the org's admin role, else a client. */
  async identityFor(principal: Principal): Promise<ClientIdentity> {
    const org = await this.org(principal.orgId);
    return identityForRole(this.chaincode.ledger, org, principal.role);
  }

  private remember(org: Organization): void {
    const until = Date.now() + this.ttlMs;
    this.cache.set(`id:${org.orgId}`, { org, until });
    this.cache.set(`did:${org.did}`, { org, until });
  }
}

/**
 * The ledger identity for a role of an organisation: its MSP admin (`admin@<orgId>`, NodeOU admin)
 * for the organisation's admin role, else the client identity `<role>@<orgId>`.
 */
export function identityForRole(
  ledger: Pick<LedgerPort, 'identity'>,
  org: Pick<Organization, 'orgId' | 'mspId' | 'kind'>,
  role: string,
): Promise<ClientIdentity> {
  return role === ADMIN_ROLE_BY_KIND[org.kind]
    ? ledger.identity(org.mspId, `admin@${org.orgId}`, 'admin')
    : ledger.identity(org.mspId, `${role}@${org.orgId}`, 'client');
}
