import { createPeriodicWorker, returnedRows, type CurrencyCode, type Logger, type ServerMetrics } from '@meridian/platform';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { budgetExceededAlert, lowBalanceAheadAlert, newSubscriptionAlert, unusualCategorySpendAlert, unusualTransactionAlert, type AlertCandidate } from '../domain/alerts';
import { categoryLabel, isDetailedCategory, isPrimaryCategory } from '../domain/taxonomy';
import type { AlertStore } from './alert-store';
import type { CashForecaster } from './cash-forecaster';
import type { InsightsService } from './insights-service';

/** Customers looked at per pass. */
const BATCH = 20;
/** A customer's recurring streams are detected again at most this often while their transactions keep changing. */
const REDETECT_SECONDS = 60;
/** Months of history the unusual-spending rule compares this month with. */
const NORM_MONTHS = 6;

const label = (category: string) => (isPrimaryCategory(category) || isDetailedCategory(category) ? categoryLabel(category) : category);

/**
 * Runs the alert rules for customers whose transactions changed (the
 * projection queues them in `insights.alert_queue`): budget exceeded, unusual
 * spending in a category this month, a payment of the last week far above
 * the usual in its category, a new subscription, and a recurring payment due
 * while the balance is expected to be too low for it. Each alert is
 * raised once per dedupe key. A customer taken from the queue is put back if
 * the pass fails, so nothing is lost; replicas take different customers.
 */
export class AlertRules {
  constructor(
    private readonly db: DataSource,
    private readonly insights: InsightsService,
    private readonly forecaster: CashForecaster,
    private readonly alerts: AlertStore,
  ) {}

  /**
   * The alerts the rules find for one customer now (not yet stored), and
   * whether the recurring streams they used were detected again (at most once
   * a minute per customer; otherwise the customer is to be looked at again).
   */
  async evaluate(userId: string): Promise<{ alerts: AlertCandidate[]; streamsFresh: boolean }> {
    const today = this.insights.today();
    const month = today.slice(0, 7);
    const found: AlertCandidate[] = [];
    // Transactions changed: the streams are detected again (and stored for the dashboard).
    const { streams, fresh } = await this.insights.recurringAfterChanges(userId, REDETECT_SECONDS);
    for (const s of streams) {
      const alert = newSubscriptionAlert(s, today, { currency: s.currency, categoryLabel: label });
      if (alert) found.push(alert);
    }
    for (const b of await this.insights.budgets(userId)) {
      const alert = budgetExceededAlert(b, { currency: b.currency, categoryLabel: label });
      if (alert) found.push(alert);
    }
    for (const currency of new Set(streams.map((s) => s.currency))) {
      const { raw } = await this.forecaster.forecast(userId, currency, streams);
      const alert = lowBalanceAheadAlert(raw, 0n, { currency, categoryLabel: label });
      if (alert) found.push(alert);
    }
    const history = await this.insights.queries.categoryHistory(this.db, {
      userId,
      monthStart: `${month}-01`,
      to: today,
      months: NORM_MONTHS,
    });
    const series = new Map<string, { category: string; currency: CurrencyCode; spent: bigint; months: Map<string, bigint> }>();
    for (const h of history) {
      const key = `${h.category}\u0000${h.currency}`;
      const entry = series.get(key) ?? { category: h.category, currency: h.currency, spent: 0n, months: new Map() };
      if (h.month === month) entry.spent = h.spent;
      else entry.months.set(h.month, h.spent);
      series.set(key, entry);
    }
    const first = DateTime.fromISO(`${month}-01`).minus({ months: NORM_MONTHS });
    for (const s of series.values()) {
      if (s.spent <= 0n) continue;
      // Every earlier month counts, the ones without spending as zero.
      const monthlyTotals = Array.from({ length: NORM_MONTHS }, (_, i) => s.months.get(first.plus({ months: i }).toFormat('yyyy-MM')) ?? 0n);
      const alert = unusualCategorySpendAlert({ category: s.category, month, spent: s.spent, monthlyTotals }, { currency: s.currency, categoryLabel: label });
      if (alert) found.push(alert);
    }
    found.push(...(await this.unusualPayments(userId, today)));
    return { alerts: found, streamsFresh: fresh };
  }

  /** Payments of the last week far above the customer's usual in their category over the six months before. */
  private async unusualPayments(userId: string, today: string): Promise<AlertCandidate[]> {
    const recent: { transfer_id: string; amount: string; currency: string; merchant_name: string | null; description: string; category: string }[] = await this.db.query(
      `SELECT transfer_id, amount::text AS amount, currency, merchant_name, description, category FROM insights.transactions
       WHERE user_id = $1 AND booked_on > $2::date - 7 AND amount < 0 AND status <> 'VOIDED' AND own_transfer_with IS NULL
         AND primary_category NOT IN ('INCOME', 'TRANSFER_IN', 'TRANSFER_OUT')
       ORDER BY amount LIMIT 10`,
      [userId, today],
    );
    const found: AlertCandidate[] = [];
    for (const t of recent) {
      const history: { amount: string }[] = await this.db.query(
        `SELECT (-amount)::text AS amount FROM insights.transactions
         WHERE user_id = $1 AND category = $2 AND currency = $3 AND amount < 0 AND status <> 'VOIDED' AND booked_on BETWEEN $4::date - 190 AND $4::date - 7
         ORDER BY booked_on DESC LIMIT 500`,
        [userId, t.category, t.currency, today],
      );
      const alert = unusualTransactionAlert(
        { transaction: { id: t.transfer_id, amount: BigInt(t.amount), merchantName: t.merchant_name ?? t.description, category: t.category }, categoryHistory: history.map((h) => BigInt(h.amount)) },
        { currency: t.currency as CurrencyCode, categoryLabel: label },
      );
      if (alert) found.push(alert);
    }
    return found;
  }

  /** Takes up to {@link BATCH} queued customers and raises their alerts; answers how many customers were looked at. */
  async runOnce(): Promise<number> {
    const users = returnedRows(
      await this.db.query(
        `DELETE FROM insights.alert_queue WHERE user_id IN (SELECT user_id FROM insights.alert_queue ORDER BY since LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING user_id`,
        [BATCH],
      ),
    ).map((r) => r.user_id as string);
    for (const userId of users) {
      try {
        const { alerts: candidates, streamsFresh } = await this.evaluate(userId);
        await this.alerts.raise(
          this.db,
          userId,
          candidates.map((c) => ({ type: c.type, dedupeKey: c.dedupeKey, severity: c.severity, title: c.title, body: c.body, data: { relatedIds: c.relatedIds, currency: c.currency } })),
        );
        // Streams detected before the latest changes: looked at again on a later pass.
        if (!streamsFresh) await this.db.query(`INSERT INTO insights.alert_queue (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [userId]);
      } catch (err) {
        await this.db.query(`INSERT INTO insights.alert_queue (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [userId]);
        throw err;
      }
    }
    return users.length;
  }

  /** The worker that runs the rules every `intervalMs`. */
  worker(options: { intervalMs: number; logger: Logger; metrics?: ServerMetrics }) {
    return createPeriodicWorker({ name: 'insights-alerts', run: () => this.runOnce(), intervalMs: options.intervalMs, logger: options.logger, metrics: options.metrics });
  }
}
