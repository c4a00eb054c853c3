import { returnedRows, type DeliveredEvent, type Queryable } from '@meridian/platform';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { LedgerHistoryTransfer, LedgerPosting } from '../clients/ledger-reader';
import type { AccountDirectory } from './accounts';
import type { CategoryRule } from '../domain/categorize';
import { categoriseWith, type Enrichment } from './enrichment';
import { inheritRefundCategory } from './payments-projection';

/**
 * What happened to money on the ledger, in the form the read model applies,
 * whether it came from an event or from the ledger's history:
 * - NEW: a transfer was made, posted at once (POSTED) or as a hold (PENDING);
 * - SETTLED: the hold `holdId` was posted by the transfer `transferId` (`postings`: what it moved);
 * - ENDED: the hold `holdId` was voided or expired (`postings` may be empty).
 */
export type LedgerChange =
  | { kind: 'NEW'; transferId: string; status: 'PENDING' | 'POSTED'; code: string; description: string; metadata: Record<string, unknown>; at: Date; postings: LedgerPosting[] }
  | { kind: 'SETTLED'; transferId: string; holdId: string; code: string; description: string; at: Date; postings: LedgerPosting[] }
  | { kind: 'ENDED'; holdId: string; postings: LedgerPosting[] };

interface EventPosting {
  accountId: string;
  direction: 'DEBIT' | 'CREDIT';
  minorUnits: string;
  currency: string;
  pending: boolean;
}

/** The stream banking publishes ledger events on. */
export const LEDGER_STREAM = 'ledger.events';

/** Reads a ledger event (see banking's ledger plan); null for a type the read model does not use. Throws on a malformed one (it is parked). */
export function changeOfEvent(event: Pick<DeliveredEvent, 'id' | 'type' | 'payload' | 'occurredAt'>): LedgerChange | null {
  const p = event.payload as {
    transferId?: unknown;
    code?: unknown;
    description?: unknown;
    metadata?: unknown;
    pendingId?: unknown;
    postings?: unknown;
  };
  if (!event.type.startsWith('ledger.transfer.')) return null;
  if (typeof p.transferId !== 'string' || typeof p.code !== 'string' || !Array.isArray(p.postings)) throw new Error(`malformed ledger event ${event.id}`);
  const postings = (p.postings as EventPosting[]).map((x) => {
    if (typeof x?.accountId !== 'string' || (x.direction !== 'DEBIT' && x.direction !== 'CREDIT') || !/^\d+$/.test(String(x.minorUnits))) {
      throw new Error(`malformed posting in ledger event ${event.id}`);
    }
    return { accountId: x.accountId, direction: x.direction, amount: BigInt(x.minorUnits), currency: x.currency, pending: x.pending } as LedgerPosting;
  });
  const description = typeof p.description === 'string' ? p.description : '';
  const pendingId = typeof p.pendingId === 'string' ? p.pendingId : null;
  const at = event.occurredAt;
  switch (event.type) {
    case 'ledger.transfer.pending':
      return { kind: 'NEW', transferId: p.transferId, status: 'PENDING', code: p.code, description, metadata: objectOf(p.metadata), at, postings };
    case 'ledger.transfer.posted':
      return pendingId
        ? { kind: 'SETTLED', transferId: p.transferId, holdId: pendingId, code: p.code, description, at, postings }
        : { kind: 'NEW', transferId: p.transferId, status: 'POSTED', code: p.code, description, metadata: objectOf(p.metadata), at, postings };
    case 'ledger.transfer.voided':
      if (!pendingId) throw new Error(`ledger event ${event.id} voids no hold`);
      return { kind: 'ENDED', holdId: pendingId, postings };
    case 'ledger.transfer.expired':
      return { kind: 'ENDED', holdId: p.transferId, postings };
    default:
      return null;
  }
}

/** The changes a transfer of the ledger's history stands for, as they would have arrived as events. */
export function changesOfHistory(t: LedgerHistoryTransfer): LedgerChange[] {
  const base = { code: t.code, description: t.description, at: t.createdAt };
  switch (t.phase) {
    case 'SINGLE':
      return [{ kind: 'NEW', transferId: t.id, status: 'POSTED', metadata: t.metadata, postings: t.postings, ...base }];
    case 'PENDING': {
      const made: LedgerChange = { kind: 'NEW', transferId: t.id, status: 'PENDING', metadata: t.metadata, postings: t.postings, ...base };
      // An expired hold has no transfer of its own; a voided or posted one is followed by the transfer that ended it.
      return t.status === 'EXPIRED' ? [made, { kind: 'ENDED', holdId: t.id, postings: t.postings }] : [made];
    }
    case 'POST_PENDING':
      return [{ kind: 'SETTLED', transferId: t.id, holdId: t.pendingId!, postings: t.postings, ...base }];
    case 'VOID_PENDING':
      return [{ kind: 'ENDED', holdId: t.pendingId!, postings: [] }];
  }
}

function objectOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** When the customer made the transaction: what the card network or the sender said (`transactedAt`, or a seeded `bookedAt`), else when the ledger recorded it. */
export function transactedAt(metadata: Record<string, unknown>, recorded: Date): Date {
  for (const key of ['transactedAt', 'bookedAt']) {
    const value = metadata[key];
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
  }
  return recorded;
}

/** The merchant category code a card network sent, if any: four digits. */
export function mccOf(metadata: Record<string, unknown>): string | null {
  const value = metadata.mcc ?? metadata.merchantCategoryCode;
  const text = typeof value === 'number' ? String(value).padStart(4, '0') : value;
  return typeof text === 'string' && /^\d{4}$/.test(text) ? text : null;
}

/** Net movement per customer account of a transfer's postings (a transfer may touch one account twice). */
function perAccount(postings: LedgerPosting[]): Map<string, { amount: bigint; currency: string }> {
  const sums = new Map<string, { amount: bigint; currency: string }>();
  for (const p of postings) {
    const signed = p.direction === 'CREDIT' ? p.amount : -p.amount;
    const entry = sums.get(p.accountId) ?? { amount: 0n, currency: p.currency };
    entry.amount += signed;
    sums.set(p.accountId, entry);
  }
  return sums;
}

/**
 * Applies ledger changes to the read model, idempotently and in any order: a
 * change applied twice, or a hold's end before the hold itself, leaves the
 * same rows. Each customer account a transfer touches is one transaction row,
 * enriched (merchant, category) when it is written; a hold and the post that
 * settled it are one row, under the hold's id. A final status (POSTED, VOIDED)
 * is never taken back to PENDING, and a category the customer chose is kept.
 */
export class LedgerProjection {
  constructor(
    private readonly db: DataSource,
    private readonly accounts: AccountDirectory,
    private readonly enrichment: Enrichment,
    private readonly timeZone: string,
  ) {}

  /** Applies one change in one transaction; answers the customers whose transactions it wrote. */
  async apply(change: LedgerChange): Promise<string[]> {
    // Owners are learned before the transaction: no call leaves the service while one is held.
    const known = await this.accounts.resolve(this.db, change.postings.map((p) => p.accountId));
    return this.db.transaction(async (m) => {
      if (change.kind === 'ENDED') return this.end(m, change.holdId, 'VOIDED', null);
      const users: string[] = [];
      // Each customer's rules are read once per change, however many of their accounts it touches.
      const rules = new Map<string, Promise<CategoryRule[]>>();
      const rulesOf = (userId: string) => rules.get(userId) ?? rules.set(userId, this.enrichment.rules(m, userId)).get(userId)!;
      const moved = [...perAccount(change.postings)].filter(([accountId, { amount }]) => known.get(accountId)?.userId && amount !== 0n);
      for (const [accountId, { amount, currency }] of moved) {
        const account = known.get(accountId)!;
        users.push(account.userId!);
        // The customer's other account on the other side of it, if the money stayed with them.
        const other = moved.find(([id, leg]) => id !== accountId && known.get(id)!.userId === account.userId && leg.amount < 0n !== amount < 0n);
        const facts = { code: change.code, description: change.description, at: change.at, ownTransfer: other ? { otherAccountType: known.get(other[0])!.type } : null };
        const own = await rulesOf(account.userId!);
        if (change.kind === 'NEW') await this.write(m, change.transferId, null, account.userId!, accountId, amount, currency, change.status, facts, change.metadata, own);
        else await this.write(m, change.holdId, change.transferId, account.userId!, accountId, amount, currency, 'POSTED', facts, {}, own);
      }
      if (change.kind === 'SETTLED') await this.end(m, change.holdId, 'POSTED', change.transferId);
      // A refund whose payment event came first takes the refunded transaction's category.
      if (change.kind === 'NEW' && users.length > 0) await inheritRefundCategory(m, change.transferId);
      await this.queueAlerts(m, users);
      return [...new Set(users)];
    });
  }

  /** Applies an event from `ledger.events`; other events are ignored. */
  async handle(event: DeliveredEvent): Promise<void> {
    const change = changeOfEvent(event);
    if (change) await this.apply(change);
  }

  private async write(
    m: Queryable,
    transferId: string,
    settledBy: string | null,
    userId: string,
    accountId: string,
    amount: bigint,
    currency: string,
    status: 'PENDING' | 'POSTED',
    change: { code: string; description: string; at: Date; ownTransfer: { otherAccountType: string } | null },
    metadata: Record<string, unknown>,
    rules: readonly CategoryRule[],
  ): Promise<void> {
    const at = transactedAt(metadata, change.at);
    const mcc = mccOf(metadata);
    const enriched = categoriseWith(rules, { description: change.description, amount, mcc, code: change.code, ownTransfer: change.ownTransfer });
    // A hold whose end arrived first starts as that end says.
    const [outcome] = await m.query(`SELECT status, settled_by FROM insights.hold_outcomes WHERE transfer_id = $1`, [transferId]);
    const finalStatus = outcome && status === 'PENDING' ? (outcome.status as string) : status;
    await m.query(
      `INSERT INTO insights.transactions AS t (transfer_id, account_id, user_id, settled_by, status, amount, currency, booked_at, booked_on, code, description,
         mcc, merchant_key, merchant_name, auto_category, category, primary_category, category_source, rule_id, own_transfer_with)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19)
       -- $20: the hold's (or transfer's) own event, rather than the post that settled it
       ON CONFLICT (transfer_id, account_id) DO UPDATE SET
         -- What moved: a final status and its amount stand; a hold's amount is replaced by what its post moved.
         status = CASE WHEN t.status = 'PENDING' THEN excluded.status ELSE t.status END,
         amount = CASE WHEN t.status = 'PENDING' OR NOT $20::boolean THEN excluded.amount ELSE t.amount END,
         settled_by = coalesce(excluded.settled_by, t.settled_by),
         -- What it was: the hold's own event knows the metadata (time, merchant code); a post only repeats the description.
         booked_at = CASE WHEN $20::boolean THEN excluded.booked_at ELSE t.booked_at END,
         booked_on = CASE WHEN $20::boolean THEN excluded.booked_on ELSE t.booked_on END,
         mcc = coalesce(excluded.mcc, t.mcc),
         merchant_key = CASE WHEN $20::boolean THEN excluded.merchant_key ELSE t.merchant_key END,
         merchant_name = CASE WHEN $20::boolean THEN excluded.merchant_name ELSE t.merchant_name END,
         auto_category = CASE WHEN $20::boolean THEN excluded.auto_category ELSE t.auto_category END,
         category = CASE WHEN t.category_source = 'USER' OR NOT $20::boolean THEN t.category ELSE excluded.category END,
         primary_category = CASE WHEN t.category_source = 'USER' OR NOT $20::boolean THEN t.primary_category ELSE excluded.primary_category END,
         rule_id = CASE WHEN t.category_source = 'USER' OR NOT $20::boolean THEN t.rule_id ELSE excluded.rule_id END,
         category_source = CASE WHEN t.category_source = 'USER' OR NOT $20::boolean THEN t.category_source ELSE excluded.category_source END,
         own_transfer_with = coalesce(excluded.own_transfer_with, t.own_transfer_with),
         updated_at = now()`,
      [
        transferId,
        accountId,
        userId,
        settledBy ?? (outcome?.settled_by as string | null) ?? null,
        finalStatus,
        amount.toString(),
        currency,
        at,
        DateTime.fromJSDate(at, { zone: this.timeZone }).toISODate(),
        change.code,
        change.description,
        mcc,
        enriched.merchant?.key ?? null,
        change.ownTransfer ? null : enriched.displayName || null,
        enriched.category,
        enriched.primary,
        enriched.source,
        enriched.ruleId ?? null,
        change.ownTransfer?.otherAccountType ?? null,
        settledBy === null,
      ],
    );
  }

  /** Records how a hold ended and applies it to its rows (a post's rows are written by the caller). */
  private async end(m: Queryable, holdId: string, status: 'POSTED' | 'VOIDED', settledBy: string | null): Promise<string[]> {
    await m.query(`INSERT INTO insights.hold_outcomes (transfer_id, status, settled_by) VALUES ($1, $2, $3) ON CONFLICT (transfer_id) DO NOTHING`, [holdId, status, settledBy]);
    if (status !== 'VOIDED') return [];
    const rows = returnedRows(
      await m.query(`UPDATE insights.transactions SET status = 'VOIDED', updated_at = now() WHERE transfer_id = $1 AND status = 'PENDING' RETURNING user_id`, [holdId]),
    );
    const users = [...new Set(rows.map((r) => r.user_id as string))];
    await this.queueAlerts(m, users);
    return users;
  }

  private async queueAlerts(m: Queryable, users: string[]): Promise<void> {
    if (users.length === 0) return;
    await m.query(`INSERT INTO insights.alert_queue (user_id) SELECT unnest($1::uuid[]) ON CONFLICT (user_id) DO NOTHING`, [[...new Set(users)]]);
  }
}
