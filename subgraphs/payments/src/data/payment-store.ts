import { OUTBOX_COLUMNS, outboxRow, returnedRows, toDate, type CurrencyCode, type OutboxEvent, type Queryable, type Row } from '@meridian/platform';
import type { FraudReason } from '../domain/fraud-rules';
import type { PaymentEvent, PaymentRecord } from '../domain/payment';
import type { PaymentKind, PaymentStatus } from '../domain/payment-state';
import { PAYMENTS_OUTBOX } from '../services/payment-events';

const COLUMNS = `id, user_id, kind, status, amount, currency, refunded_amount, account_id, counterparty_user_id, counterparty_account_id,
  counterparty_name, payee_id, biller_id, card_id, description, hold_transfer_id, review_reasons, failure_code, failure_message,
  scheduled_payment_id, limit_day::text AS limit_day, limit_month::text AS limit_month, created_at, updated_at`;

function toPayment(r: Row): PaymentRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    kind: r.kind as PaymentKind,
    status: r.status as PaymentStatus,
    amount: BigInt(r.amount as string),
    currency: r.currency as CurrencyCode,
    refundedAmount: BigInt(r.refunded_amount as string),
    accountId: r.account_id as string,
    counterpartyUserId: (r.counterparty_user_id as string | null) ?? null,
    counterpartyAccountId: (r.counterparty_account_id as string | null) ?? null,
    counterpartyName: r.counterparty_name as string,
    payeeId: (r.payee_id as string | null) ?? null,
    billerId: (r.biller_id as string | null) ?? null,
    cardId: (r.card_id as string | null) ?? null,
    description: r.description as string,
    holdTransferId: r.hold_transfer_id as string,
    reviewReasons: (r.review_reasons as FraudReason[]) ?? [],
    failureCode: (r.failure_code as string | null) ?? null,
    failureMessage: (r.failure_message as string | null) ?? null,
    scheduledPaymentId: (r.scheduled_payment_id as string | null) ?? null,
    limitDay: (r.limit_day as string | null) ?? null,
    limitMonth: (r.limit_month as string | null) ?? null,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

/** What a new payment is created with. */
export type NewPayment = Pick<
  PaymentRecord,
  | 'id'
  | 'userId'
  | 'kind'
  | 'amount'
  | 'currency'
  | 'accountId'
  | 'counterpartyUserId'
  | 'counterpartyAccountId'
  | 'counterpartyName'
  | 'payeeId'
  | 'billerId'
  | 'cardId'
  | 'description'
  | 'holdTransferId'
  | 'scheduledPaymentId'
>;

/** A change of state, with what else the change sets. */
export interface StatusChange {
  to: PaymentStatus;
  actor: string;
  reason: string;
  reviewReasons?: FraudReason[];
  failure?: { code: string; message: string };
  limits?: { day: string; month: string } | null;
  refundedAmount?: bigint;
  /** An event to publish (through the outbox) if and only if the change is made. */
  event?: OutboxEvent;
}

/** Payments' rows: payments and their history. The caller checks transitions (domain/payment-state). */
export class PaymentStore {
  /** Inserts a payment in REQUIRES_CONFIRMATION (see insert); an id already stored is left as it is. Answers the stored payment. */
  async create(q: Queryable, p: NewPayment, actor: string): Promise<PaymentRecord> {
    return (await this.insert(q, p, actor)) ?? (await this.get(q, p.id))!;
  }

  /**
   * Inserts a payment in REQUIRES_CONFIRMATION with its first history entry,
   * in one statement. Answers it, or null when the id is already stored
   * (left as it is).
   */
  async insert(q: Queryable, p: NewPayment, actor: string): Promise<PaymentRecord | null> {
    const inserted = returnedRows(
      await q.query(
        `WITH inserted AS (
           INSERT INTO payments.payments (id, user_id, kind, status, amount, currency, account_id, counterparty_user_id, counterparty_account_id,
             counterparty_name, payee_id, biller_id, card_id, description, hold_transfer_id, scheduled_payment_id)
           VALUES ($1, $2, $3, 'REQUIRES_CONFIRMATION', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}
         ), history AS (
           INSERT INTO payments.payment_history (payment_id, seq, from_status, to_status, actor, reason)
           SELECT id, 1, NULL, 'REQUIRES_CONFIRMATION', $16, 'created' FROM inserted
         )
         SELECT * FROM inserted`,
        [
          p.id,
          p.userId,
          p.kind,
          p.amount.toString(),
          p.currency,
          p.accountId,
          p.counterpartyUserId,
          p.counterpartyAccountId,
          p.counterpartyName,
          p.payeeId,
          p.billerId,
          p.cardId,
          p.description,
          p.holdTransferId,
          p.scheduledPaymentId,
          actor,
        ],
      ),
    );
    return inserted.length > 0 ? toPayment(inserted[0]) : null;
  }

  /** A payment, or null; `lock` takes its row lock for the caller's transaction. */
  async get(q: Queryable, id: string, lock = false): Promise<PaymentRecord | null> {
    const [row]: Row[] = await q.query(`SELECT ${COLUMNS} FROM payments.payments WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ? toPayment(row) : null;
  }

  /** Payments by id, in the order asked, null where missing (for DataLoader). */
  async getMany(q: Queryable, ids: readonly string[]): Promise<(PaymentRecord | null)[]> {
    const rows: Row[] = await q.query(`SELECT ${COLUMNS} FROM payments.payments WHERE id = ANY($1::uuid[])`, [[...ids]]);
    const byId = new Map(rows.map((r) => [r.id as string, toPayment(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * Moves a payment from `from` to `change.to` and records the step (and
   * `change.event`, if any) in one statement; answers null (nothing written)
   * when the payment is no longer in `from` (another request moved it first).
   */
  async transition(q: Queryable, id: string, from: PaymentStatus, change: StatusChange): Promise<PaymentRecord | null> {
    const params: unknown[] = [
      id,
      from,
      change.to,
      change.reviewReasons ?? null,
      change.failure?.code ?? null,
      change.failure?.message ?? null,
      change.limits !== undefined,
      change.limits?.day ?? null,
      change.limits?.month ?? null,
      change.refundedAmount?.toString() ?? null,
      change.actor,
      change.reason,
    ];
    const event = change.event ? outboxRow(PAYMENTS_OUTBOX, change.event, params.length + 1) : null;
    if (event) params.push(...event.values);
    const rows = returnedRows(
      await q.query(
        `WITH moved AS (
           UPDATE payments.payments SET status = $3,
             review_reasons = coalesce($4::text[], review_reasons),
             failure_code = coalesce($5, failure_code), failure_message = coalesce($6, failure_message),
             limit_day = CASE WHEN $7::boolean THEN $8::date ELSE limit_day END,
             limit_month = CASE WHEN $7::boolean THEN $9::date ELSE limit_month END,
             refunded_amount = coalesce($10::bigint, refunded_amount),
             history_seq = history_seq + 1,
             updated_at = clock_timestamp()
           WHERE id = $1 AND status = $2 RETURNING ${COLUMNS}, history_seq
         ), history AS (
           INSERT INTO payments.payment_history (payment_id, seq, from_status, to_status, actor, reason)
           SELECT id, history_seq, $2, $3, $11, $12 FROM moved
         )${event ? `, event AS (INSERT INTO ${event.table} (${OUTBOX_COLUMNS}) SELECT ${event.placeholders} FROM moved)` : ''}
         SELECT * FROM moved`,
        params,
      ),
    );
    return rows.length > 0 ? toPayment(rows[0]) : null;
  }

  /** A payment's history, oldest first. */
  async history(q: Queryable, id: string): Promise<PaymentEvent[]> {
    const rows: Row[] = await q.query(
      `SELECT seq, from_status, to_status, actor, reason, at FROM payments.payment_history WHERE payment_id = $1 ORDER BY seq`,
      [id],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      from: (r.from_status as PaymentStatus | null) ?? null,
      to: r.to_status as PaymentStatus,
      actor: r.actor as string,
      reason: r.reason as string,
      at: toDate(r.at),
    }));
  }

  /**
   * A page of a customer's payments (sent, or received peer to peer once
   * they succeeded), newest first, after the payment `after` (creation time, id).
   */
  async page(
    q: Queryable,
    userId: string,
    options: { first: number; after?: { createdAt: Date; id: string }; statuses?: PaymentStatus[] },
  ): Promise<PaymentRecord[]> {
    const rows: Row[] = await q.query(
      `SELECT ${COLUMNS} FROM payments.payments
       WHERE (user_id = $1 OR (counterparty_user_id = $1 AND status IN ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')))
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid)) AND ($4::text[] IS NULL OR status = ANY($4::text[]))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [userId, options.after?.createdAt ?? null, options.after?.id ?? null, options.statuses?.length ? options.statuses : null, options.first + 1],
    );
    return rows.map(toPayment);
  }

  /** Payments held for review, oldest first. */
  async reviewQueue(q: Queryable, options: { first: number; after?: { createdAt: Date; id: string } }): Promise<PaymentRecord[]> {
    const rows: Row[] = await q.query(
      `SELECT ${COLUMNS} FROM payments.payments WHERE status = 'REQUIRES_REVIEW'
         AND ($1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid)) ORDER BY created_at, id LIMIT $3`,
      [options.after?.createdAt ?? null, options.after?.id ?? null, options.first + 1],
    );
    return rows.map(toPayment);
  }
}
