import { writeOutboxEvent } from '@meridian/platform';
import type { ProfileStore } from '../data/profile-store';
import type { Queryable } from '@meridian/platform';
import type { Tier } from '../domain/tier';

/** The outbox of KYC and the stream its events go to. */
export const KYC_OUTBOX = 'kyc.outbox';
export const KYC_EVENTS_TOPIC = 'kyc.events';

/** The event every tier change writes: payments keeps its view of tiers by it. */
export const TIER_CHANGED = 'kyc.tier.changed';

/** Payload of {@link TIER_CHANGED}. */
export interface TierChangedPayload {
  userId: string;
  from: Tier;
  to: Tier;
  caseId: string;
  reason: 'APPROVED' | 'SANCTIONS_CONFIRMED';
  changedAt: string;
}

/**
 * Sets a customer's tier and writes `kyc.tier.changed` to the outbox in the
 * caller's transaction, so the event is published if and only if the change
 * commits. Nothing is written when the tier is already `to`.
 */
export async function changeTier(
  q: Queryable,
  profiles: ProfileStore,
  change: { userId: string; from: Tier; to: Tier; caseId: string; reason: TierChangedPayload['reason'] },
): Promise<boolean> {
  if (change.from === change.to) return false;
  await profiles.writeTier(q, change.userId, change.to);
  const payload: TierChangedPayload = { ...change, changedAt: new Date().toISOString() };
  await writeOutboxEvent(q, KYC_OUTBOX, { topic: KYC_EVENTS_TOPIC, type: TIER_CHANGED, aggregateId: change.userId, payload: { ...payload } });
  return true;
}
