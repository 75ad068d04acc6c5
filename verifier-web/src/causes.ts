import type { CheckResult, VerificationResult } from './api.js';

/**
 * Why a verdict is what it is, named for a person: each failed check (and an issuer outside the
 * registry) becomes one cause, so the banner can say "revoked" or "tampered" rather than only
 * "invalid".
 */
export type Cause =
  | 'revoked'
  | 'suspended'
  | 'status-other'
  | 'tampered'
  | 'expired'
  | 'not-yet-valid'
  | 'not-anchored'
  | 'untrusted-issuer'
  | 'not-accredited'
  | 'key-invalid'
  | 'format'
  | 'challenge'
  | 'holder-binding';

function causeOf(check: CheckResult): Cause | undefined {
  if (check.status !== 'invalid') return undefined;
  switch (check.check) {
    case 'status': {
      const status = check.details?.['status'];
      return status === 'revoked' ? 'revoked' : status === 'suspended' ? 'suspended' : 'status-other';
    }
    case 'signature':
      return 'tampered';
    case 'validity-period':
      // The gateway's reason says which side of the window: "not valid before …" or "expired at …".
      return /not valid before/i.test(check.reason) ? 'not-yet-valid' : 'expired';
    case 'anchored':
      return 'not-anchored';
    case 'issuer-accredited':
      return 'not-accredited';
    case 'key-valid':
      return 'key-invalid';
    case 'format':
      return 'format';
    case 'challenge':
      return 'challenge';
    case 'holder-binding':
      return 'holder-binding';
    default:
      return undefined;
  }
}

/** Every cause in a result, its presented credentials' included, each once, in check order. */
export function causesOf(result: VerificationResult): Cause[] {
  const causes: Cause[] = result.outcome === 'untrusted-issuer' ? ['untrusted-issuer'] : [];
  for (const r of [result, ...(result.credentialResults ?? [])]) {
    if (r.outcome === 'untrusted-issuer') causes.push('untrusted-issuer');
    for (const check of r.checks) {
      const cause = causeOf(check);
      if (cause) causes.push(cause);
    }
  }
  // A changed credential can never match its anchored digest: "not anchored" would only repeat
  // "tampered" while suggesting a forgery of another kind.
  const tampered = causes.includes('tampered');
  return [...new Set(causes)].filter((c) => !(tampered && c === 'not-anchored'));
}
