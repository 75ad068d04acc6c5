import { z } from 'zod';
import {
  AccreditationQuery,
  AccreditRequest,
  DidRequest,
  GrantRolesRequest,
  MspRequest,
  OrgIdRequest,
  RegisterOrganizationRequest,
  ReinstateAccreditationRequest,
  SuspendAccreditationRequest,
  KeyValidityQuery,
  RegisterKeyRequest,
  RevokeKeyRequest,
} from './trust.js';
import {
  AnchorCredentialsRequest,
  BatchRootRequest,
  CredentialIdRequest,
  IssuedForRef,
  SetCredentialStatusRequest,
  StatusListRequest,
} from './anchors.js';
import {
  CloseInspectionRequest,
  EvaluationQuery,
  InspectionIdRequest,
  OverdueQuery,
  PlanInspectionRequest,
  RecordVisitRequest,
  ReinspectRequest,
  RespondToActionsRequest,
  SubmitEvaluationRequest,
} from './inspection.js';
import {
  AgreementIdRequest,
  DecideRecognitionRequest,
  DefineCourseRequest,
  LearnerRequest,
  ProposeAgreementRequest,
  RecordEarnedCreditRequest,
  RequestRecognitionRequest,
} from './credit-bank.js';
import {
  AddEntryRequest,
  DefineDimensionSetRequest,
  GrantConsentRequest,
  OpenArchiveRequest,
  RevokeConsentRequest,
  SubjectRequest,
  TransferRequest,
} from './growth.js';
import {
  CompletionRef,
  ConfirmCompletionRequest,
  DefinePdRulesRequest,
  RecordCompletionRequest,
  RecordTeacherEvaluationRequest,
  TeacherProgressQuery,
  TeacherRequest,
} from './pd.js';
import { RegisterSubjectRequest } from './subjects.js';
import { BeatRequest } from './heartbeat.js';
import { AuditQuery, OrgPageRequest } from './validate.js';

/** A transaction that takes no argument. */
const None = z.undefined();

const submit = <S extends z.ZodType>(request: S) => ({ submit: true as const, request });
const query = <S extends z.ZodType>(request: S) => ({ submit: false as const, request });

/**
 * Every chaincode transaction by its full name (`contract:Function`), whether it is submitted or
 * evaluated, and the schema of its one JSON argument. The chaincode parses with the same schemas,
 * a test checks this table against the transactions the contracts declare, and the gateway calls
 * the ledger only through names and request types checked against it.
 */
export const TRANSACTIONS = {
  'registry:RegisterOrganization': submit(RegisterOrganizationRequest),
  'registry:GetOrganization': query(OrgIdRequest),
  'registry:GetOrganizationByMsp': query(MspRequest),
  'registry:GetOrganizationByDid': query(DidRequest),
  'registry:ListOrganizations': query(None),
  'registry:Identify': query(None),
  'registry:WhoAmI': query(None),
  'registry:GrantRoles': submit(GrantRolesRequest),
  'registry:Accredit': submit(AccreditRequest),
  'registry:SuspendAccreditation': submit(SuspendAccreditationRequest),
  'registry:ReinstateAccreditation': submit(ReinstateAccreditationRequest),
  'registry:ListAccreditations': query(OrgIdRequest),
  'registry:CheckAccreditation': query(AccreditationQuery),
  'registry:RegisterSubject': submit(RegisterSubjectRequest),
  'registry:GetSubject': query(SubjectRequest),
  'keys:RegisterKey': submit(RegisterKeyRequest),
  'keys:RevokeKey': submit(RevokeKeyRequest),
  'keys:ListKeys': query(OrgIdRequest),
  'keys:GetDidDocument': query(DidRequest),
  'keys:CheckKeyValidity': query(KeyValidityQuery),
  'credentials:AnchorCredentials': submit(AnchorCredentialsRequest),
  'credentials:GetCredentialAnchor': query(CredentialIdRequest),
  'credentials:GetIssuedFor': query(IssuedForRef),
  'credentials:GetBatchAnchor': query(BatchRootRequest),
  'credentials:SetCredentialStatus': submit(SetCredentialStatusRequest),
  'credentials:GetCredentialStatus': query(CredentialIdRequest),
  'credentials:GetStatusHistory': query(CredentialIdRequest),
  'credentials:GetStatusList': query(StatusListRequest),
  'audit:SchoolRecords': query(AuditQuery),
  'inspection:PlanInspection': submit(PlanInspectionRequest),
  'inspection:RecordVisit': submit(RecordVisitRequest),
  'inspection:RespondToActions': submit(RespondToActionsRequest),
  'inspection:Reinspect': submit(ReinspectRequest),
  'inspection:CloseInspection': submit(CloseInspectionRequest),
  'inspection:GetInspection': query(InspectionIdRequest),
  'inspection:ListInspections': query(OrgPageRequest),
  'inspection:ListOverdueActions': query(OverdueQuery),
  'inspection:SubmitEvaluation': submit(SubmitEvaluationRequest),
  'inspection:GetEvaluations': query(EvaluationQuery),
  'creditbank:DefineCourse': submit(DefineCourseRequest),
  'creditbank:ListCourses': query(OrgPageRequest),
  'creditbank:ProposeAgreement': submit(ProposeAgreementRequest),
  'creditbank:ApproveAgreement': submit(AgreementIdRequest),
  'creditbank:GetAgreement': query(AgreementIdRequest),
  'creditbank:RecordEarnedCredit': submit(RecordEarnedCreditRequest),
  'creditbank:RequestRecognition': submit(RequestRecognitionRequest),
  'creditbank:DecideRecognition': submit(DecideRecognitionRequest),
  'creditbank:GetLearnerStatement': query(LearnerRequest),
  'growth:DefineDimensionSet': submit(DefineDimensionSetRequest),
  'growth:ListDimensionSets': query(None),
  'growth:OpenArchive': submit(OpenArchiveRequest),
  'growth:AddEntry': submit(AddEntryRequest),
  'growth:RequestTransfer': submit(TransferRequest),
  'growth:AcceptTransfer': submit(SubjectRequest),
  'growth:GrantConsent': submit(GrantConsentRequest),
  'growth:RevokeConsent': submit(RevokeConsentRequest),
  'growth:GetCustodian': query(SubjectRequest),
  'growth:ReadArchive': query(SubjectRequest),
  'pd:DefineRules': submit(DefinePdRulesRequest),
  'pd:ListRules': query(None),
  'pd:RecordCompletion': submit(RecordCompletionRequest),
  'pd:ConfirmCompletion': submit(ConfirmCompletionRequest),
  'pd:GetCompletion': query(CompletionRef),
  'pd:GetTeacherProgress': query(TeacherProgressQuery),
  'pd:RecordTeacherEvaluation': submit(RecordTeacherEvaluationRequest),
  'pd:ListTeacherEvaluations': query(TeacherRequest),
  'heartbeat:Beat': submit(BeatRequest),
} as const;

export type TransactionName = keyof typeof TRANSACTIONS;
/** Transactions that are submitted (endorsed, ordered, committed). */
export type SubmitName = {
  [N in TransactionName]: (typeof TRANSACTIONS)[N]['submit'] extends true ? N : never;
}[TransactionName];
/** Transactions that are evaluated (read-only queries). */
export type QueryName = Exclude<TransactionName, SubmitName>;
/** What a caller passes to a transaction, before the schema's defaults are applied. */
export type TransactionRequest<N extends TransactionName> = z.input<(typeof TRANSACTIONS)[N]['request']>;
