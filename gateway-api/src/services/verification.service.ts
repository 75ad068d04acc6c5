import {
  AccreditationCheck,
  CREDENTIAL_CHECKS,
  CredentialAnchor,
  CredentialStatusRecord,
  DomainError,
  accreditationsNeeded,
  KeyValidity,
  SignedCredentialShape,
  type CheckName,
  type CheckResult,
  type Organization,
  type PresentationResult,
  type VerificationResult,
  type VerifyOptions,
  type QueryName,
  type TransactionRequest,
} from '@edu-ledger/domain';
import {
  credentialDigest,
  jwtDigest,
  jwtOf,
  verifyCredentialJwt,
  sdProofKind,
  verifyCredentialProof,
  verifyPresentationProof,
  presentationJwtOf,
  verifyPresentationJwt,
  type DocumentLoader,
} from '@edu-ledger/credentials';
import { RecordIntegrityError, type LedgerPort } from '@edu-ledger/ledger-port';
import { createLogger, type Logger } from '../logger.js';
import type { ChaincodeClient } from './chaincode.js';
import type { Directory } from './directory.js';

export interface VerificationDeps {
  ledger: LedgerPort;
  chaincode: ChaincodeClient;
  directory: Directory;
  documentLoader: DocumentLoader;
  now: () => Date;
  /**
   * Where a ledger record that fails its integrity check is reported. Without one, an error-level
   * JSON logger on stdout, as the gateway's own: such a failure must never go unrecorded.
   */
  logger?: Pick<Logger, 'error'>;
}

export type { PresentationResult } from '@edu-ledger/domain';

const ORDER: readonly CheckName[] = CREDENTIAL_CHECKS;

const valid = (check: CheckName, reason: string, details?: Record<string, unknown>): CheckResult => ({
  check,
  status: 'valid',
  reason,
  ...(details ? { details } : {}),
});
const invalid = (check: CheckName, reason: string, details?: Record<string, unknown>): CheckResult => ({
  check,
  status: 'invalid',
  reason,
  ...(details ? { details } : {}),
});
const notChecked = (check: CheckName, reason: string): CheckResult => ({
  check,
  status: 'not-checked',
  reason,
});

/** The reason a check gives when a ledger record it read failed its integrity check. */
export const RECORD_INTEGRITY_REASON =
  '账本记录未通过完整性校验，不能作为验证依据 / the ledger record failed its integrity check and cannot be relied on';

/**
 * A check that read a record the ledger refused (see RecordIntegrityError): it fails, naming where
 * the record claims to come from, never its value.
 */
const integrityFailed = (check: CheckName, error: RecordIntegrityError): CheckResult =>
  invalid(check, RECORD_INTEGRITY_REASON, {
    integrity: 'failed',
    namespace: error.namespace,
    blockNumber: error.blockNumber,
    transaction: error.txNumber,
  });

/**
 * Verifies credentials and presentations against the ledger: the proof, then trust (issuer
 * accredited for the type when the credential was anchored, key valid when it signed), the anchor
 * (digest on the ledger, with block and transaction), status and validity period. Each check is
 * reported separately; a credential is verified only if every check is valid.
 */
export class VerificationService {
  /** The logger used when none was given, made on first use (see VerificationDeps.logger). */
  private fallbackLogger: Pick<Logger, 'error'> | undefined;

  constructor(private readonly deps: VerificationDeps) {}

  /**
   * Verification, then validation against this registry, both reported. `verified` follows VC-API:
   * well formed, proof valid, status neither revoked nor suspended, within the validity period. For
   * an issuer that is a member of this ledger's registry the ledger's checks count too (accredited
   * at anchor time, key valid, anchored): a member's credential the ledger does not know is a
   * forgery. For any other issuer they are not checked, and the answer says the issuer is outside
   * the registry; `requireTrustedIssuer` then makes it unverified.
   */
  async verifyCredential(input: unknown, options: VerifyOptions = {}): Promise<VerificationResult> {
    const checks = new Map<CheckName, CheckResult>();
    // Undefined until the issuer is looked up: a credential refused before that is simply invalid.
    const issuer: { member?: boolean } = {};
    const finish = (): VerificationResult => {
      const list = ORDER.map(
        (name) => checks.get(name) ?? notChecked(name, 'not reached: an earlier check failed'),
      );
      return decide(list, issuer.member, options.requireTrustedIssuer === true);
    };
    // A JWT credential (bare, or enveloped as VC 2.0 EnvelopedVerifiableCredential) is checked by
    // its JWS signature; the ledger anchored the SHA-256 of its exact compact form.
    const jwt = jwtOf(input);
    if (typeof input === 'string' && jwt === undefined) {
      checks.set('format', invalid('format', 'a string must be a compact JWS (vc+jwt)'));
      return finish();
    }
    const jwtCheck =
      jwt === undefined
        ? undefined
        : await verifyCredentialJwt({ jwt, documentLoader: this.deps.documentLoader });
    const shape = (
      jwt === undefined ? SignedCredentialShape : SignedCredentialShape.omit({ proof: true })
    ).safeParse(jwtCheck ? jwtCheck.credential : input);
    if (!shape.success) {
      const paths = shape.error.issues.map((i) => i.path.join('.') || '(root)').slice(0, 5);
      const why =
        jwtCheck?.error?.code === 'MALFORMED' ? jwtCheck.error.message : `check ${paths.join(', ')}`;
      checks.set('format', invalid('format', `not a W3C verifiable credential: ${why}`));
      return finish();
    }
    const credential = shape.data;
    const securedDigest = jwt === undefined ? credentialDigest(credential) : jwtDigest(jwt);
    checks.set(
      'format',
      valid(
        'format',
        jwt === undefined
          ? 'well-formed W3C verifiable credential'
          : 'well-formed W3C verifiable credential secured as vc+jwt',
      ),
    );

    // A ledger record that fails its integrity check fails the check that read it: the answer is
    // then verified:false with that check named, never a verification built on altered records.
    let proof: Awaited<ReturnType<typeof verifyCredentialProof>>;
    try {
      proof =
        jwtCheck ?? (await verifyCredentialProof({ credential, documentLoader: this.deps.documentLoader }));
    } catch (error) {
      // The issuer's did:web document comes from the ledger's key registry.
      if (!(error instanceof RecordIntegrityError)) throw error;
      checks.set('signature', this.integrityFailed('signature', error));
      return finish();
    }
    checks.set(
      'signature',
      proof.verified
        ? valid('signature', 'signature verifies', {
            verificationMethod: proof.verificationMethod,
            created: proof.created,
            cryptosuite: proof.cryptosuite,
          })
        : invalid(
            'signature',
            `${proof.error?.code ?? 'SIGNATURE_INVALID'}: ${proof.error?.message ?? 'signature does not verify'}`,
          ),
    );

    const issuerDid = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
    // For the issuer and the anchor, null means the ledger record failed its integrity check (the
    // checks that needed it are set here); undefined means there is no such record.
    const org = await this.issuerOrg(issuerDid).catch((error: unknown) => {
      if (!(error instanceof RecordIntegrityError)) throw error;
      checks.set('issuer-accredited', this.integrityFailed('issuer-accredited', error));
      checks.set(
        'key-valid',
        notChecked('key-valid', "the issuer's ledger record failed its integrity check"),
      );
      return null;
    });
    const credentialId = typeof credential.id === 'string' ? credential.id : undefined;
    const anchor = credentialId
      ? await this.anchorOf(credentialId).catch((error: unknown) => {
          if (!(error instanceof RecordIntegrityError)) throw error;
          checks.set('anchored', this.integrityFailed('anchored', error));
          checks.set('status', notChecked('status', "the credential's anchor failed its integrity check"));
          return null;
        })
      : undefined;

    if (anchor === null) {
      // Set above.
    } else if (!credentialId) {
      checks.set(
        'anchored',
        invalid('anchored', 'credential has no id, so it cannot be looked up on the ledger'),
      );
    } else if (!anchor) {
      checks.set('anchored', invalid('anchored', 'no anchor for this credential on the ledger'));
    } else {
      const location = await this.deps.ledger.locateTransaction(anchor.txId);
      const details = {
        txId: anchor.txId,
        blockNumber: location?.blockNumber,
        batchRoot: anchor.batchRoot,
        anchoredAt: anchor.anchoredAt,
      };
      if (sdProofKind(credential) === 'derived') {
        // A derived ecdsa-sd-2023 credential discloses part of the issued (base) credential, so its
        // bytes cannot match the anchored digest; its derived proof binds every disclosed statement,
        // id included, to the issuer's base signature, and the ledger must hold that id's anchor
        // written by the same issuer.
        if (!org || anchor.issuerOrgId !== org.orgId) {
          checks.set('anchored', invalid('anchored', 'anchored by a different organisation', details));
        } else {
          checks.set(
            'anchored',
            valid(
              'anchored',
              `selective disclosure of the credential anchored in block ${location?.blockNumber ?? '?'}`,
              { ...details, selectiveDisclosure: true },
            ),
          );
        }
      } else if (securedDigest !== anchor.digest) {
        checks.set('anchored', invalid('anchored', 'credential differs from the anchored digest', details));
      } else if (org && anchor.issuerOrgId !== org.orgId) {
        checks.set('anchored', invalid('anchored', 'anchored by a different organisation', details));
      } else {
        checks.set(
          'anchored',
          valid('anchored', `anchored in block ${location?.blockNumber ?? '?'}`, details),
        );
      }
    }

    // Time that counts for trust: the ledger's anchor time when there is one (it cannot be
    // backdated), otherwise the signer's claimed proof time.
    const trustTime = anchor?.anchoredAt ?? proof.created;
    if (org === null) {
      // Set above.
    } else if (!org) {
      checks.set('issuer-accredited', notChecked('issuer-accredited', outsideRegistry(issuerDid)));
      checks.set(
        'key-valid',
        notChecked(
          'key-valid',
          '本账本不登记该签发者的密钥 / the registry holds no keys for this issuer: the signature was checked with the key its DID names',
        ),
      );
    } else {
      checks.set(
        'issuer-accredited',
        await this.guarded('issuer-accredited', () => this.accreditation(org, credential.type, trustTime)),
      );
      checks.set(
        'key-valid',
        await this.guarded('key-valid', () =>
          this.keyValidity(org, proof.verificationMethod, proof.created, anchor?.anchoredAt),
        ),
      );
    }

    const member = org !== undefined;
    issuer.member = member;
    if (!member && anchor === undefined) {
      // Only members anchor here: for anyone else there is nothing on this ledger to find.
      checks.set(
        'anchored',
        notChecked(
          'anchored',
          '签发者不在本账本登记，不在此锚定 / issuers outside the registry do not anchor on this ledger',
        ),
      );
    }
    if (anchor !== null) {
      checks.set(
        'status',
        anchor
          ? await this.guarded('status', () => this.status(anchor, credential.credentialStatus))
          : member
            ? notChecked('status', 'no anchor, no status record')
            : credential['credentialStatus'] === undefined
              ? valid('status', '凭证未声明状态条目 / the credential declares no status entry')
              : notChecked(
                  'status',
                  '未获取本账本以外签发者的状态列表 / the status list of an issuer outside the registry is not fetched',
                ),
      );
    }
    // VC 1.1 names the same window issuanceDate / expirationDate.
    checks.set(
      'validity-period',
      this.validity(
        credential['validFrom'] ?? credential['issuanceDate'],
        credential['validUntil'] ?? credential['expirationDate'],
      ),
    );
    return finish();
  }

  /**
   * A presentation, and every credential in it with {@link verifyCredential}. Challenge and domain
   * are enforced when given, and the holder must then have signed it and be the subject of every
   * credential (our request/response flow always gives them). When none was asked for, VC 2.0 makes
   * the holder's proof optional: a proof that is there must verify, and holder binding is reported
   * without deciding. Data Integrity presentations and vp+jwt (compact or enveloped) alike.
   */
  async verifyPresentation(
    input: unknown,
    challenge?: string,
    domain?: string,
    options: VerifyOptions & { requireHolderBinding?: boolean } = {},
  ): Promise<PresentationResult> {
    const asked = challenge !== undefined || domain !== undefined;
    // Holder binding (the holder signed and is the subject of every credential) is validation, not
    // verification (VC 2.0): demanded only when the caller asks, as our request/response flow does.
    const bindingRequired = options.requireHolderBinding === true;
    const jwt = presentationJwtOf(input);
    let code: string | undefined;
    let message = '';
    let holderBound = false;
    let credentials: unknown[];
    let unsigned = false;
    if (jwt !== undefined) {
      const result = await verifyPresentationJwt({
        presentation: jwt,
        challenge,
        domain,
        documentLoader: this.deps.documentLoader,
        now: this.deps.now(),
      });
      code = result.error?.code;
      message = result.error?.message ?? '';
      holderBound = result.holderBound;
      credentials = result.credentials;
    } else if (!asked && !bindingRequired && isRecord(input) && input['proof'] === undefined) {
      unsigned = true;
      credentials = extractCredentials(input);
    } else {
      const result = await verifyPresentationProof({
        presentation: input,
        challenge,
        domain,
        documentLoader: this.deps.documentLoader,
      });
      code = result.error?.code;
      message = result.error?.message ?? '';
      holderBound = result.holderBound;
      credentials = extractCredentials(input);
    }

    const refusedEarly = code === 'CHALLENGE_MISMATCH' || code === 'DOMAIN_MISMATCH' || code === 'MALFORMED';
    // A failing proof of the presentation itself (not of a credential inside it).
    const proofFailed = code !== undefined && !refusedEarly && code !== 'CREDENTIAL_INVALID';
    const challengeCheck: CheckResult =
      code === 'CHALLENGE_MISMATCH' || code === 'DOMAIN_MISMATCH'
        ? invalid('challenge', `${code}: ${message}`)
        : code === 'MALFORMED'
          ? invalid('challenge', `presentation is malformed: ${message}`)
          : asked
            ? valid('challenge', 'challenge and domain match', { challenge, domain })
            : notChecked('challenge', '未要求挑战值与域 / no challenge or domain was asked for');
    const holderCheck: CheckResult = refusedEarly
      ? notChecked('holder-binding', 'not checked: the presentation was refused before its proof')
      : unsigned
        ? notChecked(
            'holder-binding',
            '展示未经持有者签名，且未要求 / the presentation carries no proof, and none was asked for',
          )
        : proofFailed
          ? invalid('holder-binding', `${code ?? ''}: ${message}`)
          : holderBound
            ? valid('holder-binding', 'signed by the holder, who is the subject of every credential')
            : bindingRequired
              ? invalid(
                  'holder-binding',
                  'the holder did not sign, or is not the subject of every credential',
                )
              : notChecked(
                  'holder-binding',
                  '未要求持有者绑定 / the holder is not bound to every credential; not required (options.requireHolderBinding)',
                );

    const credentialResults =
      refusedEarly || proofFailed
        ? []
        : await Promise.all(credentials.map((c) => this.verifyCredential(c, options)));
    const checks = [challengeCheck, holderCheck];
    const optional = (c: CheckResult): boolean =>
      c.status === 'not-checked' && !(c.check === 'challenge' ? asked : bindingRequired);
    // VC 2.0 makes the credentials optional too; a holder binding needs at least one.
    const verified =
      checks.every((c) => c.status === 'valid' || optional(c)) &&
      (credentialResults.length > 0 || !bindingRequired) &&
      credentialResults.every((r) => r.verified);
    const outcome = !verified
      ? (credentialResults.length > 0 || !bindingRequired) &&
        checks.every((c) => c.status !== 'invalid') &&
        credentialResults.every((r) => r.outcome !== 'invalid')
        ? 'untrusted-issuer'
        : 'invalid'
      : credentialResults.every((r) => r.outcome === 'trusted')
        ? 'trusted'
        : 'untrusted-issuer';
    return { verified, outcome, checks, credentialResults };
  }

  /** Runs a check that reads the ledger; a record that fails its integrity check fails the check. */
  private async guarded(check: CheckName, run: () => Promise<CheckResult>): Promise<CheckResult> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RecordIntegrityError) return this.integrityFailed(check, error);
      throw error;
    }
  }

  /** The failed check, logged at error level with where the record claims to come from: ids only. */
  private integrityFailed(check: CheckName, error: RecordIntegrityError): CheckResult {
    const logger = this.deps.logger ?? (this.fallbackLogger ??= createLogger('error'));
    logger.error(
      {
        check,
        namespace: error.namespace,
        blockNumber: error.blockNumber,
        txNumber: error.txNumber,
        reason: error.reason,
      },
      'ledger record failed its integrity check: verification answered verified:false',
    );
    return integrityFailed(check, error);
  }

  private async issuerOrg(did: string): Promise<Organization | undefined> {
    try {
      return await this.deps.directory.orgByDid(did);
    } catch (error) {
      // Not registered, or not a DID at all (an issuer URL): either way, outside the registry.
      if (
        error instanceof DomainError &&
        (error.code === 'ORG_NOT_FOUND' || error.code === 'INVALID_ARGUMENT')
      )
        return undefined;
      throw error;
    }
  }

  private async anchorOf(credentialId: string): Promise<CredentialAnchor | undefined> {
    try {
      return CredentialAnchor.parse(
        JSON.parse(await this.query('credentials:GetCredentialAnchor', { credentialId })),
      );
    } catch (error) {
      if (
        error instanceof DomainError &&
        (error.code === 'CREDENTIAL_NOT_FOUND' || error.code === 'INVALID_ARGUMENT')
      ) {
        return undefined;
      }
      throw error;
    }
  }

  private async accreditation(
    org: Organization,
    types: readonly string[],
    at: string | undefined,
  ): Promise<CheckResult> {
    if (!at) return invalid('issuer-accredited', 'no issuance time to check accreditation against');
    // The rule the chaincode applied at issuance: regulated types by name, others as generic.
    const specific = accreditationsNeeded(types);
    for (const credentialType of specific) {
      const check = AccreditationCheck.parse(
        JSON.parse(await this.query('registry:CheckAccreditation', { orgId: org.orgId, credentialType, at })),
      );
      if (!check.accredited) {
        return invalid(
          'issuer-accredited',
          `${org.name.zh} / ${org.name.en} was not accredited for ${credentialType} at ${at}: ${check.reason}`,
        );
      }
    }
    return valid(
      'issuer-accredited',
      `${org.name.zh} / ${org.name.en} accredited for ${specific.join(', ')} at ${at}`,
      {
        orgId: org.orgId,
        name: org.name,
        at,
      },
    );
  }

  private async keyValidity(
    org: Organization,
    verificationMethod: string | undefined,
    created: string | undefined,
    anchoredAt: string | undefined,
  ): Promise<CheckResult> {
    if (!verificationMethod || !created) return invalid('key-valid', 'the proof names no key or time');
    if (verificationMethod.split('#')[0] !== org.did)
      return invalid('key-valid', "the signing key is not the issuer's");
    for (const at of [created, anchoredAt].filter((t): t is string => t !== undefined)) {
      const check = KeyValidity.parse(
        JSON.parse(await this.query('keys:CheckKeyValidity', { id: verificationMethod, at })),
      );
      if (!check.valid) return invalid('key-valid', `${verificationMethod} at ${at}: ${check.reason}`);
    }
    return valid('key-valid', `${verificationMethod} was valid when it signed`, {
      verificationMethod,
      created,
    });
  }

  private async status(anchor: CredentialAnchor, entries: unknown): Promise<CheckResult> {
    const record = CredentialStatusRecord.parse(
      JSON.parse(await this.query('credentials:GetCredentialStatus', { credentialId: anchor.credentialId })),
    );
    const listed = (Array.isArray(entries) ? entries : [entries]).filter(
      (e): e is Record<string, unknown> => typeof e === 'object' && e !== null,
    );
    if (
      listed.some(
        (e) => e['statusListIndex'] !== undefined && e['statusListIndex'] !== String(anchor.statusIndex),
      )
    ) {
      return invalid('status', "the credential's status entry does not match its ledger status slot");
    }
    const details = {
      status: record.status,
      reasonCode: record.reasonCode,
      since: record.updatedAt,
      txId: record.txId,
    };
    if (record.status === 'active') return valid('status', 'not revoked or suspended', details);
    return invalid('status', `${record.status} since ${record.updatedAt} (${record.reasonCode})`, details);
  }

  private validity(validFrom: unknown, validUntil: unknown): CheckResult {
    const now = this.deps.now().getTime();
    if (typeof validFrom === 'string' && Date.parse(validFrom) > now) {
      return invalid('validity-period', `not valid before ${validFrom}`);
    }
    if (typeof validUntil === 'string' && Date.parse(validUntil) < now) {
      return invalid('validity-period', `expired at ${validUntil}`);
    }
    return valid('validity-period', 'within its validity period', { validFrom, validUntil });
  }

  private query<N extends QueryName>(fn: N, request: TransactionRequest<N>): Promise<string> {
    return this.deps.chaincode.evaluateText(this.deps.directory.readerIdentity, fn, request);
  }
}

function extractCredentials(presentation: unknown): unknown[] {
  if (typeof presentation !== 'object' || presentation === null) return [];
  const vcs: unknown = Reflect.get(presentation, 'verifiableCredential');
  if (vcs === undefined) return [];
  return Array.isArray(vcs) ? vcs : [vcs];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function outsideRegistry(issuer: string): string {
  return `签发者不在本账本的机构名录中，是否信任由验证方决定 / ${issuer} is not in this ledger's registry: whether to trust it is the verifier's decision`;
}

/** The checks every credential must pass, whoever issued it (VC-API verification). */
const VERIFICATION_CHECKS: readonly CheckName[] = ['format', 'signature', 'validity-period'];

/**
 * The verdict from the checks: see {@link VerificationService.verifyCredential}. `member` is
 * undefined when the credential was refused before its issuer was looked up.
 */
function decide(
  checks: CheckResult[],
  member: boolean | undefined,
  requireTrustedIssuer: boolean,
): VerificationResult {
  const statusOf = (name: CheckName): CheckResult['status'] | undefined =>
    checks.find((c) => c.check === name)?.status;
  if (member !== false) {
    const verified = member === true && checks.every((c) => c.status === 'valid');
    return {
      verified,
      outcome: verified ? 'trusted' : 'invalid',
      ...(member === undefined ? {} : { issuerInRegistry: true }),
      checks,
    };
  }
  const genuine =
    VERIFICATION_CHECKS.every((name) => statusOf(name) === 'valid') &&
    (statusOf('status') === 'valid' || statusOf('status') === 'not-checked');
  return {
    verified: genuine && !requireTrustedIssuer,
    outcome: genuine ? 'untrusted-issuer' : 'invalid',
    issuerInRegistry: false,
    checks,
  };
}
