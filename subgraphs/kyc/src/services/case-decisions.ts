import type { Queryable } from '@meridian/platform';
import type { Actor, CaseStore } from '../data/case-store';
import type { ProfileStore } from '../data/profile-store';
import type { FieldStates, ProfileField } from '../domain/profile';
import type { CaseRecord, StoredCheckResult } from '../domain/verification-case';
import type { CheckKind } from '../providers/verification-provider';
import { changeTier } from './tier-changes';

/** The stores a decision reads and writes. */
export interface CaseStores {
  profiles: ProfileStore;
  cases: CaseStore;
}

/** Provider reasons a customer can fix by uploading again: the case asks for a resubmission instead of a review. */
const FIXABLE: Record<string, string> = {
  IMAGE_UNREADABLE: 'A photo could not be read. Upload a sharp photo in good light, without glare.',
  DOCUMENT_MISSING: 'Upload a passport, national identity card or driving licence.',
  SELFIE_MISSING: 'Upload a selfie taken now.',
  DOCUMENT_EXPIRED: 'Your document has expired. Upload a valid one.',
};

/** The fields each check verifies when CLEAR. */
const VERIFIES: Record<CheckKind, ProfileField[]> = {
  IDENTITY_DATABASE: ['legalName', 'dateOfBirth', 'address'],
  DOCUMENT: ['legalName', 'dateOfBirth', 'nationality'],
  FACE_MATCH: [],
  LIVENESS: [],
};

/**
 * Applies the provider's result to a locked PROCESSING case: a fixable problem
 * asks for a resubmission; any other problem, a possible sanctions match or a
 * review reason sends it to a person; all clear approves it.
 */
export async function applyCheckResult(q: Queryable, stores: CaseStores, current: CaseRecord, result: StoredCheckResult): Promise<CaseRecord> {
  const provider: Actor = { type: 'PROVIDER' };
  const patch = { checkResult: result, providerCheckId: result.providerCheckId };
  const fixable = result.reports.flatMap((r) => (r.outcome === 'REJECTED' ? r.reasons : [])).filter((reason) => FIXABLE[reason]);
  const unfixable = result.reports.some((r) => r.outcome !== 'CLEAR' && !r.reasons.every((reason) => FIXABLE[reason]));
  if (fixable.length > 0 && !unfixable && current.reviewReasons.length === 0) {
    const message = [...new Set(fixable.map((reason) => FIXABLE[reason]))].join(' ');
    return stores.cases.transition(q, current, 'RESUBMISSION_REQUESTED', provider, fixable.join(', '), { ...patch, customerMessage: message });
  }
  // The latest screening of the profile counts too: a list loaded since submission may have raised a match.
  const profile = (await stores.profiles.find(q, current.userId))!;
  const reasons = [...current.reviewReasons];
  if (profile.screening?.outcome === 'POSSIBLE_MATCH' && !reasons.includes('SANCTIONS_POSSIBLE_MATCH')) reasons.push('SANCTIONS_POSSIBLE_MATCH');
  if (result.outcome !== 'CLEAR') reasons.push(`PROVIDER_${result.outcome}`);
  if (reasons.length > 0) {
    return stores.cases.transition(q, current, 'NEEDS_REVIEW', provider, reasons.join(', '), { ...patch, reviewReasons: reasons });
  }
  return approveCase(q, stores, { ...current, checkResult: result }, provider, 'all checks clear', 'PROVIDER', patch);
}

/**
 * Approves a locked case: the fields the checks (or the officer) verified
 * become VERIFIED, matches on its screening are cleared for the customer, the
 * customer's tier rises to the case's (with `kyc.tier.changed`), and the case
 * becomes APPROVED. A re-screening case only clears its matches.
 */
export async function approveCase(
  q: Queryable,
  stores: CaseStores,
  current: CaseRecord,
  actor: Actor,
  reason: string,
  verifiedBy: 'PROVIDER' | 'STAFF',
  patch: Parameters<CaseStore['transition']>[5] = {},
): Promise<CaseRecord> {
  const profile = (await stores.profiles.find(q, current.userId, { forUpdate: true }))!;
  await stores.profiles.addClearedMatches(q, current.userId, (current.screening?.matches ?? []).map((m) => m.uid));
  if (current.kind === 'CUSTOMER') {
    const now = new Date().toISOString();
    const fields: FieldStates = { ...profile.fields };
    const verify = (field: ProfileField, source: 'PROVIDER' | 'STAFF') => {
      if (profile.data[field] === undefined || fields[field]?.status === 'VERIFIED') return;
      fields[field] = { status: 'VERIFIED', source, updatedAt: fields[field]?.updatedAt ?? now, verifiedAt: now };
    };
    for (const report of current.checkResult?.reports ?? []) {
      if (report.outcome === 'CLEAR') for (const field of VERIFIES[report.kind as CheckKind] ?? []) verify(field, 'PROVIDER');
    }
    // What the officer approved without a clear check, they vouch for.
    for (const field of ['legalName', 'dateOfBirth', 'nationality', 'address'] as ProfileField[]) verify(field, verifiedBy);
    await stores.profiles.write(q, current.userId, {}, fields);
    const to = current.targetTier === 'TIER_2' || profile.tier === 'TIER_2' ? 'TIER_2' : 'TIER_1';
    await changeTier(q, stores.profiles, { userId: current.userId, from: profile.tier, to, caseId: current.id, reason: 'APPROVED' });
  }
  return stores.cases.transition(q, current, 'APPROVED', actor, reason, { ...patch, decided: true, pendingDecision: null });
}
