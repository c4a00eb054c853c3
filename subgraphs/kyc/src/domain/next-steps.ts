import { EDITABLE_STATES, type CaseState } from './case-state';
import type { FieldStates, PersonalData } from './profile';
import { tierAtLeast, type Tier } from './tier';
import { IDENTITY_DOCUMENTS, type CaseRecord, type DocumentRecord } from './verification-case';

/** What the customer should do next. */
export type NextStep =
  | 'START_VERIFICATION'
  | 'COMPLETE_PROFILE'
  | 'VERIFY_PHONE'
  | 'UPLOAD_IDENTITY_DOCUMENT'
  | 'UPLOAD_SELFIE'
  | 'SUBMIT'
  | 'WAIT';

/** The customer's overall status, from their latest case. */
export type KycStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'PENDING' | 'ACTION_REQUIRED' | 'VERIFIED' | 'REJECTED';

const STATUS: Record<CaseState, KycStatus> = {
  DRAFT: 'IN_PROGRESS',
  SUBMITTED: 'PENDING',
  PROCESSING: 'PENDING',
  // The customer is not told that a person (or a sanctions list) is involved.
  NEEDS_REVIEW: 'PENDING',
  RESUBMISSION_REQUESTED: 'ACTION_REQUIRED',
  APPROVED: 'VERIFIED',
  REJECTED: 'REJECTED',
};

/** The customer's status from their latest case (none: NOT_STARTED). */
export const statusOf = (latest: CaseRecord | undefined): KycStatus => (latest ? STATUS[latest.state] : 'NOT_STARTED');

/**
 * What a case for `targetTier` still lacks, in the order the apps ask for it:
 * tier 1 needs legal name, date of birth, nationality and address, and a
 * phone verified by code; tier 2 also an identity document and a selfie.
 */
export function missingRequirements(
  targetTier: Exclude<Tier, 'TIER_0'>,
  data: PersonalData,
  fields: FieldStates,
  documents: readonly DocumentRecord[],
): NextStep[] {
  const missing: NextStep[] = [];
  if (!data.legalName || !data.dateOfBirth || !data.nationality || !data.address) missing.push('COMPLETE_PROFILE');
  if (!data.phone || fields.phone?.status !== 'VERIFIED') missing.push('VERIFY_PHONE');
  if (targetTier === 'TIER_2') {
    const live = documents.filter((d) => !d.deletedAt);
    if (!live.some((d) => IDENTITY_DOCUMENTS.includes(d.kind))) missing.push('UPLOAD_IDENTITY_DOCUMENT');
    if (!live.some((d) => d.kind === 'SELFIE')) missing.push('UPLOAD_SELFIE');
  }
  return missing;
}

/** The next steps shown to the customer for their tier and latest case. */
export function nextSteps(
  tier: Tier,
  latest: CaseRecord | undefined,
  data: PersonalData,
  fields: FieldStates,
  documents: readonly DocumentRecord[],
): NextStep[] {
  if (!latest || latest.state === 'APPROVED' || latest.state === 'REJECTED') {
    return tierAtLeast(tier, 'TIER_2') ? [] : ['START_VERIFICATION'];
  }
  if (EDITABLE_STATES.includes(latest.state)) return [...missingRequirements(latest.targetTier, data, fields, documents), 'SUBMIT'];
  return ['WAIT'];
}
