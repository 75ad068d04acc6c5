/**
 * Composite-key object types. Kept in one place so a reader sees the whole state layout at once.
 *
 * | object type | attributes                   | value                  |
 * |-------------|------------------------------|------------------------|
 * | org         | orgId                        | Organization           |
 * | orgmsp      | mspId                        | { orgId }              |
 * | orgdid      | did                          | { orgId }              |
 * | role        | mspId, identityId            | RoleGrant              |
 * | accr        | orgId, accreditationId       | Accreditation          |
 * | key         | orgId, verificationMethodId  | IssuerKey              |
 * | anchor      | credentialId                 | CredentialAnchor       |
 * | issued      | issuerOrgId, credentialId    | { credentialId }       |
 * | batch       | merkleRoot                   | BatchAnchor            |
 * | cstatus     | statusListId, index (padded) | CredentialStatusRecord |
 * | insp        | schoolId, inspectionId       | Inspection             |
 * | inspidx     | inspectionId                 | { schoolId }           |
 * | eval        | schoolId, period, source     | EvaluationReport       |
 * | course      | orgId, courseId              | Course                 |
 * | agree       | agreementId                  | Agreement              |
 * | earned      | learnerId, creditId          | EarnedCredit           |
 * | recog       | learnerId, recognitionId     | Recognition            |
 * | recog1      | creditId, targetOrgId        | { recognitionId }      |
 * | dimset      | setId                        | DimensionSet           |
 * | archive     | subjectId                    | GrowthArchive          |
 * | gentry      | subjectId, entryId           | GrowthEntry            |
 * | consent     | subjectId, consentId         | Consent                |
 * | pdrules     | bureauId, version            | PdRules                |
 * | pd          | teacherId, completionId      | PdCompletion           |
 * | teval       | teacherId, period            | TeacherEvaluation      |
 * | subject     | subjectId                    | LedgerSubject          |
 * | issuedfor   | kind, subjectId, recordId    | IssuedForRecord        |
 * | meta        | name                         | small flags            |
 */
export const K = {
  org: 'org',
  orgByMsp: 'orgmsp',
  orgByDid: 'orgdid',
  role: 'role',
  accreditation: 'accr',
  key: 'key',
  anchor: 'anchor',
  issuedBy: 'issued',
  batch: 'batch',
  status: 'cstatus',
  inspection: 'insp',
  inspectionIndex: 'inspidx',
  evaluation: 'eval',
  course: 'course',
  agreement: 'agree',
  earned: 'earned',
  recognition: 'recog',
  recognisedOnce: 'recog1',
  dimensionSet: 'dimset',
  archive: 'archive',
  entry: 'gentry',
  consent: 'consent',
  pdRules: 'pdrules',
  pdCompletion: 'pd',
  teacherEvaluation: 'teval',
  subject: 'subject',
  issuedFor: 'issuedfor',
  meta: 'meta',
} as const;

/** Fixed-width index so range scans return status slots in numeric order. */
export function padIndex(index: number): string {
  return index.toString().padStart(6, '0');
}
