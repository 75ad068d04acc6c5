/** Chaincode event names: one event per state change, named from the domain. */
export const EVENTS = {
  organizationRegistered: 'OrganizationRegistered',
  accreditationGranted: 'AccreditationGranted',
  accreditationSuspended: 'AccreditationSuspended',
  accreditationReinstated: 'AccreditationReinstated',
  rolesGranted: 'RolesGranted',
  keyRegistered: 'IssuerKeyRegistered',
  keyRevoked: 'IssuerKeyRevoked',
  credentialsAnchored: 'CredentialsAnchored',
  credentialStatusChanged: 'CredentialStatusChanged',
  inspectionPlanned: 'InspectionPlanned',
  inspectionVisited: 'InspectionVisited',
  inspectionResponded: 'InspectionResponded',
  inspectionReinspected: 'InspectionReinspected',
  inspectionClosed: 'InspectionClosed',
  evaluationSubmitted: 'EvaluationSubmitted',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];
