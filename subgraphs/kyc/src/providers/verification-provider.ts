/**
 * The port to an identity-verification provider (Onfido, Veriff, Sumsub and
 * the like). A check is submitted once and its result arrives later as a
 * signed Standard Webhooks POST whose body is a {@link ProviderWebhookPayload}.
 */

/**
 * What a provider is asked to verify:
 * - `IDENTITY_DATABASE`: name, date of birth and address against records (tier 1);
 * - `DOCUMENT`: the authenticity of an identity document;
 * - `FACE_MATCH`: the selfie against the document's photo;
 * - `LIVENESS`: that the selfie is of a live person.
 */
export type CheckKind = 'IDENTITY_DATABASE' | 'DOCUMENT' | 'FACE_MATCH' | 'LIVENESS';

/** Every check kind, in the order reports are listed. */
export const CHECK_KINDS: readonly CheckKind[] = ['IDENTITY_DATABASE', 'DOCUMENT', 'FACE_MATCH', 'LIVENESS'];

/** A provider's verdict: passed, needs a human look, or failed. */
export type CheckOutcome = 'CLEAR' | 'CONSIDER' | 'REJECTED';

/** The kinds of document an applicant uploads. */
export type DocumentKind = 'PASSPORT' | 'NATIONAL_ID' | 'DRIVING_LICENCE' | 'PROOF_OF_ADDRESS' | 'SELFIE';

/** Every document kind. */
export const DOCUMENT_KINDS: readonly DocumentKind[] = ['PASSPORT', 'NATIONAL_ID', 'DRIVING_LICENCE', 'PROOF_OF_ADDRESS', 'SELFIE'];

/** The document kinds that prove identity (a `DOCUMENT` check needs one). */
export const IDENTITY_DOCUMENT_KINDS: readonly DocumentKind[] = ['PASSPORT', 'NATIONAL_ID', 'DRIVING_LICENCE'];

/** A postal address as the applicant gave it. */
export interface ApplicantAddress {
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** The person being verified. */
export interface Applicant {
  legalName: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth: string;
  /** ISO 3166-1 alpha-2. */
  nationality?: string;
  address?: ApplicantAddress;
}

/** An uploaded document, described by its stored content rather than carried inline. */
export interface CheckDocument {
  id: string;
  kind: DocumentKind;
  contentType: string;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** Bytes. */
  size: number;
}

/** One verification sent to a provider. */
export interface CheckRequest {
  /** Ours; the provider's idempotency key. */
  checkId: string;
  caseId: string;
  userId: string;
  kinds: CheckKind[];
  applicant: Applicant;
  documents: CheckDocument[];
}

/**
 * The verdict on one kind of check. `reasons` are SCREAMING_SNAKE codes such as
 * DOCUMENT_EXPIRED, DOCUMENT_TAMPERED, DOCUMENT_MISSING, IMAGE_UNREADABLE,
 * FACE_MISMATCH, SELFIE_MISSING, SPOOF_DETECTED, DATA_MISMATCH,
 * RECORD_NOT_FOUND, UNDERAGE; empty when the outcome is CLEAR.
 */
export interface CheckReport {
  kind: CheckKind;
  outcome: CheckOutcome;
  reasons: string[];
}

/** A finished check as a provider reports it. */
export interface CheckResult {
  checkId: string;
  providerCheckId: string;
  /** The worst outcome of the reports. */
  outcome: CheckOutcome;
  reports: CheckReport[];
  /** ISO 8601. */
  completedAt: string;
}

/** The webhook body providers send when a check completes. */
export interface ProviderWebhookPayload {
  type: 'check.completed';
  data: CheckResult;
}

/** A verification provider: takes a check now, answers later by webhook. */
export interface VerificationProvider {
  /** Short stable name, stored next to each `providerCheckId`. */
  readonly name: string;
  /**
   * Starts a check and returns the provider's id for it. Submitting the same
   * `checkId` again returns the same id instead of starting a second check.
   */
  submit(request: CheckRequest): Promise<{ providerCheckId: string }>;
}

const SEVERITY: Record<CheckOutcome, number> = { CLEAR: 0, CONSIDER: 1, REJECTED: 2 };

/**
 * The most severe outcome (REJECTED over CONSIDER over CLEAR). Throws a
 * RangeError for an empty list, because a check with nothing reported must
 * never read as CLEAR.
 */
export function worstOutcome(outcomes: CheckOutcome[]): CheckOutcome {
  if (outcomes.length === 0) throw new RangeError('worstOutcome needs at least one outcome.');
  return outcomes.reduce((worst, outcome) => (SEVERITY[outcome] > SEVERITY[worst] ? outcome : worst));
}
