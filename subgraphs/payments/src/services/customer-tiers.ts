import { returnedRows, toDate, type DeliveredEvent, type Logger, type Queryable } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { KycTiers } from '../clients/directory-client';
import type { KycTier } from '../domain/limits';

/** The event KYC writes on every tier change, on the stream `kyc.events`. */
export const TIER_CHANGED = 'kyc.tier.changed';

const TIERS: readonly KycTier[] = ['TIER_0', 'TIER_1', 'TIER_2'];

/**
 * What payments knows of each customer's KYC tier: a local projection kept
 * current by `kyc.tier.changed`, filled from KYC's tier API the first time a
 * customer pays. A change is applied only when it is newer than what is held,
 * so events delivered twice or out of order leave the latest tier.
 */
export class CustomerTiers {
  constructor(
    private readonly db: DataSource,
    private readonly kyc: KycTiers,
    private readonly logger?: Logger,
  ) {}

  /** The customer's tier, read from KYC and remembered when the projection has not heard of them. */
  async tierOf(q: Queryable, userId: string): Promise<KycTier> {
    const [row] = await q.query(`SELECT tier FROM payments.customer_tiers WHERE user_id = $1`, [userId]);
    if (row) return row.tier as KycTier;
    const fetched = await this.kyc.tierOf(userId);
    // A KYC that never saw the customer answers TIER_0 with no time: remember it as of the epoch, so any event wins.
    await this.apply(this.db, userId, fetched.tier, fetched.updatedAt ? new Date(fetched.updatedAt) : new Date(0));
    return fetched.tier;
  }

  /** Applies a tier as of `changedAt` unless a newer one is held; answers whether it changed anything. */
  async apply(q: Queryable, userId: string, tier: KycTier, changedAt: Date): Promise<boolean> {
    const rows = returnedRows(
      await q.query(
        `INSERT INTO payments.customer_tiers (user_id, tier, changed_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET tier = excluded.tier, changed_at = excluded.changed_at, updated_at = now()
           WHERE payments.customer_tiers.changed_at < excluded.changed_at
         RETURNING user_id`,
        [userId, tier, changedAt],
      ),
    );
    return rows.length > 0;
  }

  /** Handles `kyc.tier.changed`; other events on the stream are ignored. A malformed one is refused (and parked by the bus). */
  async handle(event: DeliveredEvent): Promise<void> {
    if (event.type !== TIER_CHANGED) return;
    const { userId, to, changedAt } = event.payload as { userId?: unknown; to?: unknown; changedAt?: unknown };
    if (typeof userId !== 'string' || !TIERS.includes(to as KycTier) || typeof changedAt !== 'string' || Number.isNaN(Date.parse(changedAt))) {
      throw new Error(`malformed ${TIER_CHANGED} event ${event.id}`);
    }
    const changed = await this.apply(this.db, userId, to as KycTier, toDate(changedAt));
    this.logger?.info({ eventId: event.id, userId, tier: to, changed }, 'KYC tier projected');
  }
}
