import { DomainError, ErrorCode, errors, isUuid, returnedRows, toDate, toDateOrNull, uuidv7, type AccessTokenClaims, type CurrencyCode, type JobTransaction, type Logger, type Row } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { firstRun, nextRunAfter, parseSchedule, type Schedule, type ScheduleInput } from '../domain/schedule';
import { assertStepUpForPayment } from '../domain/step-up';
import type { P2PPaymentInput, PaymentService, PayoutPaymentInput } from './payment-service';

/** What a scheduled payment pays each time: a P2P or PAYOUT payment as `createPayment` takes it. */
export type PaymentTemplate = ({ kind: 'P2P' } & P2PPaymentInput) | ({ kind: 'PAYOUT' } & PayoutPaymentInput);

/** A scheduled or recurring payment. */
export interface ScheduledPaymentRecord {
  id: string;
  userId: string;
  status: 'ACTIVE' | 'CANCELED' | 'COMPLETED';
  schedule: Schedule;
  payment: PaymentTemplate;
  counterpartyName: string;
  amount: bigint;
  currency: CurrencyCode;
  nextRunAt: Date | null;
  runs: number;
  lastPaymentId: string | null;
  lastOutcome: string | null;
  createdAt: Date;
}

/** Puts the run of a schedule due at `runAt` on the job queue, in the caller's transaction. */
export type EnqueueRun = (q: JobTransaction, scheduleId: string, runAt: Date) => Promise<void>;

function toScheduled(r: Row): ScheduledPaymentRecord {
  const payment = r.payment as PaymentTemplate & { counterpartyName: string; amountMinor: string };
  const { counterpartyName, amountMinor, ...template } = payment;
  return {
    id: r.id as string,
    userId: r.user_id as string,
    status: r.status as ScheduledPaymentRecord['status'],
    schedule: r.schedule as Schedule,
    payment: template as PaymentTemplate,
    counterpartyName,
    amount: BigInt(amountMinor),
    currency: template.currency as CurrencyCode,
    nextRunAt: toDateOrNull(r.next_run_at),
    runs: Number(r.runs),
    lastPaymentId: (r.last_payment_id as string | null) ?? null,
    lastOutcome: (r.last_outcome as string | null) ?? null,
    createdAt: toDate(r.created_at),
  };
}

/**
 * Scheduled and recurring payments: once on a date, weekly, or monthly on a
 * day, at a local time in the customer's time zone. Each run is a job on the
 * durable queue, sent in the transaction that schedules it, so it survives
 * restarts and runs on one replica; the payment it makes takes idempotency
 * keys derived from the schedule and the run's due time, so even a run
 * executed twice pays once. A run that cannot pay (a limit, the funds, a
 * recipient gone) is recorded as its outcome and the schedule goes on.
 */
export class ScheduledPayments {
  constructor(
    private readonly db: DataSource,
    private readonly payments: PaymentService,
    private readonly enqueue: EnqueueRun,
    private readonly logger: Logger,
  ) {}

  /**
   * Schedules a payment after checking it as it would be made now.
   * Errors: those of createPayment; BAD_USER_INPUT for the schedule (`date`,
   * `timeZone`, `dayOfWeek`, `dayOfMonth`, …); CONFLICT (`reason` TOO_MANY) past 50 active;
   * STEP_UP_REQUIRED for an amount that needs a recent second factor.
   */
  async create(viewer: AccessTokenClaims, template: PaymentTemplate, scheduleInput: ScheduleInput, now = new Date()): Promise<ScheduledPaymentRecord> {
    const schedule = parseSchedule(scheduleInput, now);
    const prepared = template.kind === 'P2P' ? await this.payments.prepareP2P(viewer.userId, template) : await this.payments.preparePayout(viewer.userId, template);
    // Each run pays without the customer: a large one is agreed to now, with a recent second factor.
    assertStepUpForPayment(viewer, prepared, this.payments.stepUp, 'createScheduledPayment');
    const runAt = firstRun(schedule, now)!;
    const id = uuidv7();
    await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('payments.scheduled:' || $1))`, [viewer.userId]);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM payments.scheduled_payments WHERE user_id = $1 AND status = 'ACTIVE'`, [viewer.userId]);
      if (n >= 50) throw errors.conflict('You may keep 50 scheduled payments.', { reason: 'TOO_MANY', limit: 50 });
      await m.query(
        `INSERT INTO payments.scheduled_payments (id, user_id, status, schedule, payment, next_run_at) VALUES ($1, $2, 'ACTIVE', $3, $4, $5)`,
        [id, viewer.userId, JSON.stringify(schedule), JSON.stringify({ ...template, counterpartyName: prepared.counterpartyName, amountMinor: prepared.amount.toString() }), runAt],
      );
      await this.enqueue(m, id, runAt);
    });
    return (await this.get(id))!;
  }

  /** Stops a schedule; a run already due does not pay. Errors: NOT_FOUND, CONFLICT (`state`). */
  async cancel(viewer: AccessTokenClaims, id: string): Promise<ScheduledPaymentRecord> {
    const found = isUuid(id) ? await this.get(id) : null;
    if (!found || found.userId !== viewer.userId) throw errors.notFound('Scheduled payment not found.');
    const rows = returnedRows(
      await this.db.query(`UPDATE payments.scheduled_payments SET status = 'CANCELED', next_run_at = NULL, updated_at = now() WHERE id = $1 AND status = 'ACTIVE' RETURNING id`, [id]),
    );
    if (rows.length === 0) throw new DomainError(ErrorCode.CONFLICT, `The scheduled payment is ${found.status.toLowerCase()}.`, { state: found.status });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<ScheduledPaymentRecord | null> {
    const [row]: Row[] = await this.db.query(`SELECT * FROM payments.scheduled_payments WHERE id = $1`, [id]);
    return row ? toScheduled(row) : null;
  }

  /** A customer's scheduled payments, oldest first. */
  async list(userId: string): Promise<ScheduledPaymentRecord[]> {
    const rows: Row[] = await this.db.query(`SELECT * FROM payments.scheduled_payments WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
    return rows.map(toScheduled);
  }

  /**
   * Runs a schedule's run due at `runAt` (the job queue calls it): makes and
   * confirms the payment, records the outcome, and schedules the next run in
   * the same transaction that moves the schedule on. A run that is not the
   * schedule's next one (already done, or the schedule canceled) does nothing.
   * Throws while the payment's outcome is unknown, so the job runs again.
   */
  async run(scheduleId: string, runAt: Date): Promise<void> {
    const scheduled = await this.get(scheduleId);
    if (!scheduled || scheduled.status !== 'ACTIVE' || scheduled.nextRunAt?.getTime() !== runAt.getTime()) return;
    const key = `scheduled:${scheduleId}:${runAt.toISOString()}`;
    const viewer: AccessTokenClaims = { userId: scheduled.userId, sessionId: 'scheduler', roles: ['CUSTOMER'], scopes: ['payments'], tokenId: key, expiresAt: new Date(Date.now() + 60_000), amr: [], authTime: new Date(0) };
    let outcome: string;
    let paymentId: string | null = null;
    try {
      const { kind: _kind, ...input } = scheduled.payment;
      const created =
        scheduled.payment.kind === 'P2P'
          ? await this.payments.createP2P({ viewer, idempotencyKey: `${key}:create`, requestId: key }, input as P2PPaymentInput, scheduleId)
          : await this.payments.createPayout({ viewer, idempotencyKey: `${key}:create`, requestId: key }, input as PayoutPaymentInput, scheduleId);
      paymentId = created.id;
      const confirmed = created.status === 'REQUIRES_CONFIRMATION' ? await this.payments.confirm({ viewer, idempotencyKey: `${key}:confirm`, requestId: key }, created.id) : created;
      outcome = confirmed.failureCode ? `FAILED:${confirmed.failureCode}` : confirmed.status;
    } catch (err) {
      // Not knowing how it ended is not an outcome: the job runs again, and the same keys find the same payment.
      if (!(err instanceof DomainError) || err.code === ErrorCode.SERVICE_UNAVAILABLE) throw err;
      outcome = `REFUSED:${err.code}`;
      this.logger.info({ scheduleId, runAt, code: err.code }, 'a scheduled payment run was refused');
    }
    const next = nextRunAfter(scheduled.schedule, runAt);
    await this.db.transaction(async (m) => {
      const moved = returnedRows(
        await m.query(
          `UPDATE payments.scheduled_payments
           SET runs = runs + 1, last_payment_id = coalesce($3, last_payment_id), last_outcome = $4, next_run_at = $5,
               status = CASE WHEN $5::timestamptz IS NULL THEN 'COMPLETED' ELSE status END, updated_at = now()
           WHERE id = $1 AND status = 'ACTIVE' AND next_run_at = $2 RETURNING id`,
          [scheduleId, runAt, paymentId, outcome, next],
        ),
      );
      if (moved.length > 0 && next) await this.enqueue(m, scheduleId, next);
    });
  }
}
