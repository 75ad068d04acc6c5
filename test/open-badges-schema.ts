/**
 * What 1EdTech's Open Badges 3.0 JSON Schema for an AchievementCredential (JSON Schema 2019-09,
 * https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json)
 * requires, written out as a readable check. The schema itself is not ours to copy into the
 * repository, and the tests cannot fetch it, so its published requirements are restated here; each
 * rule names the schema part it comes from. Outside the repository the same credentials were run
 * through ajv with the real schema (see the report of issue 13).
 *
 * One deliberate difference: the schema's plain-JSON binding wants `proof` as an array, while OB
 * 3.0's "Compacted document form" lets the JSON-LD binding give a single proof as an object (1EdTech
 * publishes `schema/json-ld/` variants for that form). Both are accepted here; see `proof` below.
 */

const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_CONTEXT = /^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A type list as the schema wants it: an array of strings that contains one of `wanted`. */
function typeList(value: unknown, wanted: readonly string[], at: string, problems: string[]): void {
  if (!Array.isArray(value) || value.length === 0 || !value.every((t) => typeof t === 'string')) {
    problems.push(`${at} must be a non-empty array of strings`);
  } else if (!wanted.some((w) => value.includes(w))) {
    problems.push(`${at} must contain ${wanted.join(' or ')}`);
  }
}

function required(object: Json, names: readonly string[], at: string, problems: string[]): void {
  for (const name of names) {
    if (object[name] === undefined) problems.push(`${at} must have required property '${name}'`);
  }
}

function optionalString(object: Json, name: string, at: string, problems: string[]): void {
  if (object[name] !== undefined && typeof object[name] !== 'string')
    problems.push(`${at}/${name} must be a string`);
}

function dateTime(object: Json, name: string, at: string, problems: string[]): void {
  const value = object[name];
  if (value !== undefined && (typeof value !== 'string' || !DATE_TIME.test(value))) {
    problems.push(`${at}/${name} must be a date-time`);
  }
}

/** `$defs/Image`: id and type "Image", caption, nothing else. */
function image(value: unknown, at: string, problems: string[]): void {
  if (value === undefined) return;
  if (!isObject(value)) return void problems.push(`${at} must be an object`);
  required(value, ['id', 'type'], at, problems);
  if (value.type !== undefined && value.type !== 'Image') problems.push(`${at}/type must be "Image"`);
  for (const key of Object.keys(value)) {
    if (!['id', 'type', 'caption'].includes(key)) problems.push(`${at} must not have property '${key}'`);
  }
}

/** `$defs/Profile`: id and a type list with "Profile". */
function profile(value: unknown, at: string, problems: string[]): void {
  if (!isObject(value)) return void problems.push(`${at} must be an object`);
  required(value, ['id', 'type'], at, problems);
  if (value.type !== undefined) typeList(value.type, ['Profile'], `${at}/type`, problems);
  for (const name of ['id', 'name', 'url', 'email', 'phone']) optionalString(value, name, at, problems);
  image(value.image, `${at}/image`, problems);
}

/** `$defs/Achievement`: required id, type ("Achievement"), criteria, description, name. */
function achievement(value: unknown, at: string, problems: string[]): void {
  if (!isObject(value)) return void problems.push(`${at} must be an object`);
  required(value, ['id', 'type', 'criteria', 'description', 'name'], at, problems);
  if (value.type !== undefined) typeList(value.type, ['Achievement'], `${at}/type`, problems);
  for (const name of ['id', 'name', 'description', 'humanCode', 'fieldOfStudy', 'specialization', 'version'])
    optionalString(value, name, at, problems);
  if (value.criteria !== undefined) {
    if (!isObject(value.criteria)) problems.push(`${at}/criteria must be an object`);
    else optionalString(value.criteria, 'narrative', `${at}/criteria`, problems);
  }
  if (value.creditsAvailable !== undefined && typeof value.creditsAvailable !== 'number')
    problems.push(`${at}/creditsAvailable must be a number`);
  image(value.image, `${at}/image`, problems);
}

/**
 * The schema's requirements an Open Badges 3.0 AchievementCredential / OpenBadgeCredential breaks,
 * as `<JSON pointer> <problem>` lines; an empty list means it meets every one checked.
 */
export function openBadgeSchemaProblems(credential: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(credential)) return ['/ must be an object'];

  // Top level: `required` and `properties`.
  required(credential, ['@context', 'id', 'type', 'credentialSubject', 'issuer', 'validFrom'], '', problems);
  const context = credential['@context'];
  if (!Array.isArray(context) || context.length < 2) {
    problems.push('/@context must be an array of at least 2 items');
  } else {
    if (context[0] !== VC_V2) problems.push(`/@context/0 must be ${VC_V2}`);
    if (typeof context[1] !== 'string' || !OB_CONTEXT.test(context[1]))
      problems.push('/@context/1 must be an OB 3.0 context URL');
    context.slice(2).forEach((c, i) => {
      if (typeof c !== 'string' && !isObject(c))
        problems.push(`/@context/${i + 2} must be a string or object`);
    });
  }
  optionalString(credential, 'id', '', problems);
  if (credential.type !== undefined) {
    typeList(credential.type, ['VerifiableCredential'], '/type', problems);
    typeList(credential.type, ['AchievementCredential', 'OpenBadgeCredential'], '/type', problems);
  }
  optionalString(credential, 'name', '', problems);
  optionalString(credential, 'description', '', problems);
  image(credential.image, '/image', problems);
  for (const name of ['validFrom', 'validUntil', 'awardedDate']) dateTime(credential, name, '', problems);

  // `issuer`: `$defs/ProfileRef`, a URI string or a Profile.
  if (credential.issuer !== undefined && typeof credential.issuer !== 'string')
    profile(credential.issuer, '/issuer', problems);

  // `credentialSubject`: one `$defs/AchievementSubject` (an object, not an array).
  const subject = credential.credentialSubject;
  if (subject !== undefined) {
    if (!isObject(subject)) {
      problems.push('/credentialSubject must be an object');
    } else {
      required(subject, ['type', 'achievement'], '/credentialSubject', problems);
      if (subject.type !== undefined)
        typeList(subject.type, ['AchievementSubject'], '/credentialSubject/type', problems);
      optionalString(subject, 'id', '/credentialSubject', problems);
      if (subject.creditsEarned !== undefined && typeof subject.creditsEarned !== 'number')
        problems.push('/credentialSubject/creditsEarned must be a number');
      for (const name of ['activityStartDate', 'activityEndDate'])
        dateTime(subject, name, '/credentialSubject', problems);
      if (subject.achievement !== undefined)
        achievement(subject.achievement, '/credentialSubject/achievement', problems);
      image(subject.image, '/credentialSubject/image', problems);
    }
  }

  // `credentialStatus`: one `$defs/CredentialStatus`, an object with string `id` and `type`. An
  // array of entries (as a credential with separate revocation and suspension entries has) fails.
  const status = credential.credentialStatus;
  if (status !== undefined) {
    if (!isObject(status)) {
      problems.push('/credentialStatus must be an object');
    } else {
      required(status, ['id', 'type'], '/credentialStatus', problems);
      optionalString(status, 'id', '/credentialStatus', problems);
      optionalString(status, 'type', '/credentialStatus', problems);
    }
  }

  // `proof`: an array of `$defs/Proof` (each with a `type`), or one such object in the compacted
  // JSON-LD form (see the note at the top).
  const proofs =
    credential.proof === undefined
      ? []
      : Array.isArray(credential.proof)
        ? credential.proof
        : [credential.proof];
  proofs.forEach((proof, i) => {
    if (!isObject(proof) || typeof proof.type !== 'string')
      problems.push(`/proof/${i} must be an object with a type`);
    else dateTime(proof, 'created', `/proof/${i}`, problems);
  });
  // `evidence`, `endorsement`, `endorsementJwt`: arrays when present (`credentialSchema` and
  // `termsOfUse` may be compacted like `proof`).
  for (const name of ['evidence', 'endorsement', 'endorsementJwt']) {
    if (credential[name] !== undefined && !Array.isArray(credential[name]))
      problems.push(`/${name} must be an array`);
  }
  return problems;
}

const CLR_CONTEXT = /^https:\/\/purl\.imsglobal\.org\/spec\/clr\/v2p0\/context(-2\.\d\.\d)*\.json$/;
const ASSOCIATION_TYPES = [
  'exactMatchOf',
  'isChildOf',
  'isParentOf',
  'isPartOf',
  'isPeerOf',
  'isRelatedTo',
  'precedes',
  'replacedBy',
];

/**
 * The same for 1EdTech's CLR 2.0 ClrCredential schema
 * (https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json):
 * required top-level members, a `ClrSubject` with at least one AchievementCredential (each checked
 * with {@link openBadgeSchemaProblems}), `Achievement`s and `Association`s of the defined types.
 */
export function clrSchemaProblems(credential: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(credential)) return ['/ must be an object'];
  required(
    credential,
    ['@context', 'id', 'type', 'issuer', 'validFrom', 'name', 'credentialSubject'],
    '',
    problems,
  );
  const context = credential['@context'];
  if (!Array.isArray(context) || context[0] !== VC_V2)
    problems.push(`/@context must be an array starting with ${VC_V2}`);
  else if (!context.some((c) => typeof c === 'string' && CLR_CONTEXT.test(c)))
    problems.push('/@context must contain a CLR 2.0 context URL');
  if (credential.type !== undefined) {
    typeList(credential.type, ['VerifiableCredential'], '/type', problems);
    typeList(credential.type, ['ClrCredential'], '/type', problems);
  }
  for (const name of ['id', 'name', 'description']) optionalString(credential, name, '', problems);
  for (const name of ['validFrom', 'validUntil', 'awardedDate']) dateTime(credential, name, '', problems);
  if (credential.issuer !== undefined && typeof credential.issuer !== 'string')
    profile(credential.issuer, '/issuer', problems);
  if (credential.credentialStatus !== undefined && !isObject(credential.credentialStatus))
    problems.push('/credentialStatus must be an object');

  const subject = credential.credentialSubject;
  if (!isObject(subject)) {
    problems.push('/credentialSubject must be an object');
    return problems;
  }
  required(subject, ['type', 'verifiableCredential'], '/credentialSubject', problems);
  if (subject.type !== undefined) typeList(subject.type, ['ClrSubject'], '/credentialSubject/type', problems);
  const inner = subject.verifiableCredential;
  if (!Array.isArray(inner) || inner.length === 0) {
    problems.push('/credentialSubject/verifiableCredential must be an array of at least 1 item');
  } else {
    inner.forEach((vc, i) => {
      for (const p of openBadgeSchemaProblems(vc))
        problems.push(`/credentialSubject/verifiableCredential/${i}${p}`);
    });
  }
  if (subject.achievement !== undefined) {
    if (!Array.isArray(subject.achievement)) problems.push('/credentialSubject/achievement must be an array');
    else
      subject.achievement.forEach((a, i) => achievement(a, `/credentialSubject/achievement/${i}`, problems));
  }
  if (subject.association !== undefined) {
    if (!Array.isArray(subject.association)) {
      problems.push('/credentialSubject/association must be an array');
    } else {
      subject.association.forEach((a, i) => {
        const at = `/credentialSubject/association/${i}`;
        if (!isObject(a)) return void problems.push(`${at} must be an object`);
        required(a, ['type', 'associationType', 'sourceId', 'targetId'], at, problems);
        if (a.type !== 'Association') problems.push(`${at}/type must be "Association"`);
        if (!ASSOCIATION_TYPES.includes(a.associationType as string))
          problems.push(`${at}/associationType must be one of ${ASSOCIATION_TYPES.join(', ')}`);
        for (const name of ['sourceId', 'targetId']) optionalString(a, name, at, problems);
      });
    }
  }
  return problems;
}
