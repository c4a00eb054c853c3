import { KycDocument, type KycCaseState, type KycDocumentKind, type KycNextStep, type KycQuery, type KycStatus, type KycTier } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { meridianQueryKey, useMeridianQuery } from '../api/use-meridian';

/** The customer's verification as the Kyc query answers it. */
export type KycOverview = KycQuery['me']['kyc'];
export type KycCaseSummary = NonNullable<KycOverview['currentCase']>;

/** How often the status is read again while checks run (the provider answers within moments). */
const PENDING_POLL_MS = 3_000;

/** The customer's tier, status, profile, next steps and case; read again every few seconds while it is PENDING. */
export function useKyc() {
  return useMeridianQuery(KycDocument, {}, { staleTime: 0, refetchInterval: (query) => (query.state.data?.me.kyc.status === 'PENDING' ? PENDING_POLL_MS : false) });
}

/** Marks the Kyc query stale (after any KYC mutation) so every screen shows the new state. */
export function useRefreshKyc(): () => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.invalidateQueries({ queryKey: meridianQueryKey(KycDocument) }), [queryClient]);
}

/** Case states in which the customer may still change data and documents. */
const EDITABLE: readonly KycCaseState[] = ['DRAFT', 'RESUBMISSION_REQUESTED'];

/** The open case the customer may still change, if there is one. */
export function editableCase(kyc: KycOverview | undefined): KycCaseSummary | undefined {
  const current = kyc?.currentCase;
  return current && EDITABLE.includes(current.state) ? current : undefined;
}

export const TIER_LABELS: Record<KycTier, string> = { TIER_0: 'Tier 0', TIER_1: 'Tier 1', TIER_2: 'Tier 2' };

/** What each tier asks for, as the customer chooses one. */
export const TIER_DESCRIPTIONS: Record<Exclude<KycTier, 'TIER_0'>, string> = {
  TIER_1: 'Your name, date of birth, nationality, address and a mobile number. Everyday payments.',
  TIER_2: 'Tier 1, plus an identity document and a selfie. Higher limits.',
};

export const STATUS_LABELS: Record<KycStatus, string> = {
  NOT_STARTED: 'Not started',
  IN_PROGRESS: 'In progress',
  PENDING: 'Being checked',
  ACTION_REQUIRED: 'Action needed',
  VERIFIED: 'Verified',
  REJECTED: 'Not approved',
};

/** Badge colours whose light variant passes contrast with the theme's overrides. */
export const STATUS_COLORS: Record<KycStatus, string> = {
  NOT_STARTED: 'gray',
  IN_PROGRESS: 'blue',
  PENDING: 'yellow',
  ACTION_REQUIRED: 'orange',
  VERIFIED: 'green',
  REJECTED: 'red',
};

export const CASE_STATE_LABELS: Record<KycCaseState, string> = {
  DRAFT: 'Open: fill it in and submit',
  SUBMITTED: 'Submitted',
  PROCESSING: 'Checks running',
  NEEDS_REVIEW: 'Being reviewed',
  APPROVED: 'Approved',
  REJECTED: 'Not approved',
  RESUBMISSION_REQUESTED: 'We need something again',
};

/** The steps the customer does on a screen of their own, in order, with where. */
export const STEP_SCREENS = [
  { step: 'COMPLETE_PROFILE', label: 'Your personal details', to: '/verification/profile' },
  { step: 'VERIFY_PHONE', label: 'Your mobile number', to: '/verification/phone' },
  { step: 'UPLOAD_IDENTITY_DOCUMENT', label: 'An identity document', to: '/verification/documents' },
  { step: 'UPLOAD_SELFIE', label: 'A selfie', to: '/verification/documents' },
] as const satisfies readonly { step: KycNextStep; label: string; to: string }[];

/** The steps a case for `tier` asks for. */
export function stepsFor(tier: KycTier): (typeof STEP_SCREENS)[number][] {
  return tier === 'TIER_2' ? [...STEP_SCREENS] : STEP_SCREENS.filter((s) => s.step === 'COMPLETE_PROFILE' || s.step === 'VERIFY_PHONE');
}

/** "Your personal details", … for the steps a refusal names (`missing`). */
export function describeSteps(steps: readonly string[]): string {
  return STEP_SCREENS.filter((s) => steps.includes(s.step))
    .map((s) => s.label.toLowerCase())
    .join(', ');
}

export const DOCUMENT_KIND_LABELS: Record<KycDocumentKind, string> = {
  PASSPORT: 'Passport',
  NATIONAL_ID: 'National identity card',
  DRIVING_LICENCE: 'Driving licence',
  PROOF_OF_ADDRESS: 'Proof of address (a recent bill or statement)',
  SELFIE: 'Selfie',
};
