import { errors, parsePositiveAmount, returnedRows, type CurrencyCode, type Queryable } from '@meridian/platform';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { budgetProgress, type BudgetProgress } from '../domain/budgets';
import { detectStreams, type RecurringStream } from '../domain/recurring';
import { isDetailedCategory, isPrimaryCategory, primaryOf, type DetailedCategory, type PrimaryCategory } from '../domain/taxonomy';
import type { AccountDirectory } from './accounts';
import { dateRange, type DateRange } from './date-range';
import { GoalService, type GoalView } from './goal-service';
import { InsightsQueries, type MonthFlow } from './insights-queries';

export { dateRange, localDate, type DateRange } from './date-range';
export type { GoalView } from './goal-service';

/** Spending in a primary category with its detailed split. */
export interface PrimarySpending {
  primary: PrimaryCategory;
  amount: bigint;
  count: number;
  shareBasisPoints: number;
  detailed: { category: DetailedCategory; amount: bigint; count: number }[];
}

/** A recurring stream with the currency it is in. */
export type Stream = RecurringStream & { currency: CurrencyCode };

/** Streams as stored: JSON whose bigints are tagged `{ $bigint: "…" }`. */
function reviveStreams(stored: unknown): Stream[] {
  return JSON.parse(JSON.stringify(stored), (_k, v: unknown) => (v && typeof v === 'object' && '$bigint' in v ? BigInt((v as { $bigint: string }).$bigint) : v)) as Stream[];
}

/** How far back recurring streams are looked for: 13 months. */
const RECURRING_MONTHS = 13;

/**
 * The customer's dashboard: spending by category, cash flow, net worth,
 * budgets, recurring streams and goals, each from one SQL aggregate over the
 * read model plus the domain's arithmetic (bigint minor units throughout).
 * Days are local dates in the bank's time zone.
 */
export class InsightsService {
  readonly queries = new InsightsQueries();
  private readonly goalService: GoalService;

  constructor(
    private readonly db: DataSource,
    accounts: AccountDirectory,
    private readonly timeZone: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.goalService = new GoalService(db, accounts, this.queries, () => this.today());
  }

  /** Today as a local date. */
  today(): string {
    return DateTime.fromJSDate(this.clock(), { zone: this.timeZone }).toISODate()!;
  }

  /** Spending by primary (and detailed) category over a range, largest first, with each primary's share. */
  async spendingByCategory(userId: string, range: DateRange, currency: CurrencyCode, accountId?: string): Promise<{ total: bigint; categories: PrimarySpending[] }> {
    const { from, to } = dateRange(range, 'period');
    const rows = await this.queries.spending(this.db, { userId, currency, from, to, accountId });
    const byPrimary = new Map<PrimaryCategory, PrimarySpending>();
    for (const r of rows) {
      const entry = byPrimary.get(r.primary) ?? { primary: r.primary, amount: 0n, count: 0, shareBasisPoints: 0, detailed: [] };
      entry.amount += r.spent;
      entry.count += r.count;
      entry.detailed.push({ category: r.category, amount: r.spent, count: r.count });
      byPrimary.set(r.primary, entry);
    }
    const total = [...byPrimary.values()].reduce((sum, c) => sum + c.amount, 0n);
    const categories = [...byPrimary.values()]
      .filter((c) => c.amount > 0n)
      .map((c) => ({ ...c, shareBasisPoints: total > 0n ? Number((c.amount * 10_000n) / total) : 0, detailed: c.detailed.sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : 0)) }))
      .sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : a.primary.localeCompare(b.primary)));
    return { total, categories };
  }

  /** Income, spending and net for each of the last `months` calendar months (the current one so far), oldest first. */
  async cashFlowMonths(userId: string, months: number, currency: CurrencyCode, accountId?: string): Promise<MonthFlow[]> {
    if (!Number.isInteger(months) || months < 1 || months > 24) throw errors.badInput('months must be 1 to 24.', { field: 'months' });
    const today = DateTime.fromISO(this.today());
    const first = today.startOf('month').minus({ months: months - 1 });
    const flows = await this.queries.cashFlow(this.db, { userId, currency, fromMonth: first.toFormat('yyyy-MM'), to: today.toISODate()!, accountId });
    return Array.from({ length: months }, (_, i) => {
      const month = first.plus({ months: i }).toFormat('yyyy-MM');
      return flows.get(month) ?? { month, income: 0n, spending: 0n, net: 0n };
    });
  }

  /** Posted balances per currency for each day of a range (the customer's accounts, or one). */
  async netWorth(userId: string, range: DateRange, accountId?: string): Promise<Map<CurrencyCode, { date: string; balance: bigint }[]>> {
    const { from, to } = dateRange(range, 'range');
    const rows = await this.queries.balances(this.db, { userId, from, to, accountId });
    const series = new Map<CurrencyCode, { date: string; balance: bigint }[]>();
    for (const r of rows) {
      const points = series.get(r.currency) ?? [];
      points.push({ date: r.date, balance: r.balance });
      series.set(r.currency, points);
    }
    return series;
  }

  /**
   * Recurring income and payments of the last 13 months, active ones first,
   * then by next date: as last detected (the alert rules refresh them after
   * new transactions), detected again when that was before today or when
   * newer transactions have waited more than 30 s for the alert rules.
   */
  async recurring(userId: string): Promise<Stream[]> {
    // Stale: detected before today, or more than 30 s ago while newer transactions wait for the alert rules.
    const [stored]: { streams: unknown; computed_on: string; waiting: boolean }[] = await this.db.query(
      `SELECT r.streams, to_char(r.computed_on, 'YYYY-MM-DD') AS computed_on, (q.user_id IS NOT NULL AND r.computed_at < now() - interval '30 seconds') AS waiting
       FROM insights.recurring_streams r LEFT JOIN insights.alert_queue q ON q.user_id = r.user_id WHERE r.user_id = $1`,
      [userId],
    );
    if (stored && stored.computed_on === this.today() && !stored.waiting) return reviveStreams(stored.streams);
    return this.refreshRecurring(userId);
  }

  /**
   * For the alert rules after new transactions: the streams detected again,
   * unless they were detected less than `seconds` ago today (then the stored
   * ones, and `fresh` false: the caller asks again later), so a customer whose
   * transactions keep coming is not re-detected on every pass.
   */
  async recurringAfterChanges(userId: string, seconds: number): Promise<{ streams: Stream[]; fresh: boolean }> {
    const [stored]: { streams: unknown; recent: boolean }[] = await this.db.query(
      `SELECT streams, computed_on = $2::date AND computed_at > now() - make_interval(secs => $3) AS recent FROM insights.recurring_streams WHERE user_id = $1`,
      [userId, this.today(), seconds],
    );
    if (stored?.recent) return { streams: reviveStreams(stored.streams), fresh: false };
    return { streams: await this.refreshRecurring(userId), fresh: true };
  }

  /** Detects the customer's recurring streams from their transactions now and stores them. */
  async refreshRecurring(userId: string): Promise<Stream[]> {
    const today = this.today();
    const since = DateTime.fromISO(today).minus({ months: RECURRING_MONTHS }).toISODate()!;
    // Two are enough for a yearly payment; the detection decides what each series needs.
    const candidates = await this.queries.recurringCandidates(this.db, { userId, since, minOccurrences: 2 });
    const currencyOf = new Map(candidates.map((c) => [`${c.key}\u0000${c.direction}`, c.currency]));
    const streams = detectStreams(
      candidates.map((c) => ({
        key: `${c.key}\u0000${c.direction}`,
        name: c.name,
        direction: c.direction,
        category: c.category,
        occurrences: c.ids.map((id, i) => ({ id, date: c.dates[i], amount: c.amounts[i] })),
      })),
      today,
    )
      .map((s) => ({ ...s, currency: currencyOf.get(s.key)!, key: s.key.split('\u0000')[0] }))
      .sort((a, b) => Number(b.isActive) - Number(a.isActive) || a.nextDate.localeCompare(b.nextDate) || a.name.localeCompare(b.name));
    await this.db.query(
      `INSERT INTO insights.recurring_streams (user_id, streams, computed_on) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (user_id) DO UPDATE SET streams = excluded.streams, computed_on = excluded.computed_on, computed_at = now()`,
      [userId, JSON.stringify(streams, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v)), today],
    );
    return streams;
  }

  /** The customer's budgets with this month's progress (recurring payments still due in the category added to the projection). */
  async budgets(userId: string): Promise<(BudgetProgress & { currency: CurrencyCode })[]> {
    const today = this.today();
    const month = today.slice(0, 7);
    const rows = await this.queries.budgetSpending(this.db, { userId, monthStart: `${month}-01`, to: today });
    if (rows.length === 0) return [];
    const upcoming = await this.upcomingByCategory(userId, today);
    return rows.map((r) => {
      const due = upcoming.get(`${r.category}\u0000${r.currency}`) ?? { spent: 0n, upcoming: 0n };
      const recurring = { spent: due.spent > r.spent ? r.spent : due.spent < 0n ? 0n : due.spent, upcoming: due.upcoming };
      return { ...budgetProgress({ budget: { category: r.category, amount: r.amount }, month, today, spent: r.spent < 0n ? 0n : r.spent, recurring }), currency: r.currency };
    });
  }

  /** Sets a monthly budget. Errors: BAD_USER_INPUT with `field`. */
  async setBudget(userId: string, input: { category: string; amount: string; currency: CurrencyCode }): Promise<void> {
    if (!isPrimaryCategory(input.category) && !isDetailedCategory(input.category)) throw errors.badInput(`Unknown category "${input.category.slice(0, 80)}".`, { field: 'category' });
    const amount = parsePositiveAmount(input.amount, input.currency);
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM insights.budgets WHERE user_id = $1`, [userId]);
    await this.db.query(
      `INSERT INTO insights.budgets (user_id, category, currency, amount) SELECT $1, $2, $3, $4
       WHERE $5::int < 100 OR EXISTS (SELECT 1 FROM insights.budgets WHERE user_id = $1 AND category = $2 AND currency = $3)
       ON CONFLICT (user_id, category, currency) DO UPDATE SET amount = excluded.amount, updated_at = now()`,
      [userId, input.category, input.currency, amount.toString(), n],
    );
  }

  /** Removes a budget; answers whether there was one. */
  async deleteBudget(userId: string, category: string, currency: CurrencyCode): Promise<boolean> {
    const rows = returnedRows(await this.db.query(`DELETE FROM insights.budgets WHERE user_id = $1 AND category = $2 AND currency = $3 RETURNING category`, [userId, category, currency]));
    return rows.length > 0;
  }

  /** The customer's goals with their progress, oldest first. */
  goals(userId: string, id?: string): Promise<GoalView[]> {
    return this.goalService.goals(userId, id);
  }

  /** Makes a goal on one of the customer's accounts. Errors: BAD_USER_INPUT with `field`, NOT_FOUND (`accountId`). */
  createGoal(userId: string, input: { name: string; targetAmount: string; targetDate?: string | null; accountId: string }): Promise<GoalView> {
    return this.goalService.createGoal(userId, input);
  }

  /** Changes a goal. Errors: NOT_FOUND, BAD_USER_INPUT with `field`. */
  updateGoal(userId: string, id: string, input: { name?: string | null; targetAmount?: string | null; targetDate?: string | null; clearTargetDate?: boolean | null }): Promise<GoalView> {
    return this.goalService.updateGoal(userId, id, input);
  }

  /** Deletes a goal; answers whether there was one. */
  deleteGoal(userId: string, id: string): Promise<boolean> {
    return this.goalService.deleteGoal(userId, id);
  }

  /** Recurring outflows per category (detailed and primary) and currency: taken so far this month, and still due before it ends. */
  private async upcomingByCategory(userId: string, today: string): Promise<Map<string, { spent: bigint; upcoming: bigint }>> {
    const monthStart = `${today.slice(0, 7)}-01`;
    const monthEnd = DateTime.fromISO(today).endOf('month').toISODate()!;
    const result = new Map<string, { spent: bigint; upcoming: bigint }>();
    for (const s of await this.recurring(userId)) {
      if (s.direction !== 'OUTFLOW' || !s.isActive || !s.category || !isDetailedCategory(s.category)) continue;
      const spent = s.lastDate >= monthStart ? s.lastAmount : 0n;
      const upcoming = s.nextDate > today && s.nextDate <= monthEnd ? s.nextAmount : 0n;
      for (const category of [s.category, primaryOf(s.category)]) {
        const key = `${category}\u0000${s.currency}`;
        const entry = result.get(key) ?? { spent: 0n, upcoming: 0n };
        result.set(key, { spent: entry.spent + spent, upcoming: entry.upcoming + upcoming });
      }
    }
    return result;
  }
}

/** The customer's accounts' posted balance in a currency now (for the forecast's start). */
export async function balanceIn(q: Queryable, queries: InsightsQueries, userId: string, currency: CurrencyCode): Promise<bigint> {
  let total = 0n;
  for (const b of (await queries.accountBalances(q, userId)).values()) if (b.currency === currency) total += b.balance;
  return total;
}
