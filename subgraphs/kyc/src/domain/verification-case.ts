import { IDENTITY_DOCUMENT_KINDS, type DocumentKind } from '../providers/verification-provider';
import type { ActorType, CaseState } from './case-state';
import type { StoredScreening } from './screening-record';
import type { Tier } from './tier';

export type { DocumentKind };

/** The document kinds that satisfy the identity-document requirement. */
export const IDENTITY_DOCUMENTS = IDENTITY_DOCUMENT_KINDS;

/** A compliance decision. */
export type Decision = 'APPROVE' | 'REJECT' | 'REQUEST_RESUBMISSION';

/** A rejection proposed by one officer, waiting for a second. */
export interface PendingDecision {
  decision: Decision;
  officerId: string;
  reason: string;
  at: string;
}

/** One provider report, as stored. */
export interface StoredCheckReport {
  kind: string;
  outcome: string;
  reasons: string[];
}

/** The provider's result, as stored. */
export interface StoredCheckResult {
  providerCheckId: string;
  outcome: string;
  reports: StoredCheckReport[];
  completedAt: string;
}

/** A verification case. */
export interface CaseRecord {
  id: string;
  userId: string;
  targetTier: Exclude<Tier, 'TIER_0'>;
  kind: 'CUSTOMER' | 'RESCREEN';
  state: CaseState;
  checkId: string | null;
  providerCheckId: string | null;
  checkSubmittedAt: Date | null;
  checkResult: StoredCheckResult | null;
  screening: StoredScreening | null;
  reviewReasons: string[];
  pendingDecision: PendingDecision | null;
  customerMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  decidedAt: Date | null;
}

/** A case's transition, as recorded. */
export interface CaseEventRecord {
  caseId: string;
  from: CaseState | null;
  to: CaseState;
  actorType: ActorType;
  actorId: string | null;
  reason: string | null;
  at: Date;
}

/** A document attached to a case. */
export interface DocumentRecord {
  id: string;
  caseId: string;
  userId: string;
  kind: DocumentKind;
  uploadId: string;
  objectKey: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: Date;
  deletedAt: Date | null;
}
