import type { CurrencyCode, Queryable } from '@meridian/platform';
import type { DetailedCategory, PrimaryCategory } from '../domain/taxonomy';

/** Categories that are not spending: income, and money moved rather than spent. */
export const NOT_SPENDING: readonly PrimaryCategory[] = ['INCOME', 'TRANSFER_IN', 'TRANSFER_OUT'];
/** Categories whose money in counts as income in the cash flow. */
const INCOME_PRIMARIES: readonly PrimaryCategory[] = ['INCOME', 'TRANSFER_IN'];

/** Spending in one detailed category: positive minor units (refunds already taken off). */
export interface CategoryAmount {
  primary: PrimaryCategory;
  category: DetailedCategory;
  spent: bigint;
  count: number;
}

/** One month of money in and out. */
export interface MonthFlow {
  month: string;
  income: bigint;
  spending: bigint;
  net: bigint;
}

/** A candidate recurring series: one counterparty and direction, oldest first. */
export interface SeriesRow {
  key: string;
  name: string;
  direction: 'INFLOW' | 'OUTFLOW';
  currency: CurrencyCode;
  category: DetailedCategory;
  ids: string[];
  dates: string[];
  amounts: bigint[];
}

const num = (value: unknown) => BigInt(String(value ?? 0));

/**
 * The dashboard's aggregates, each one SQL statement over the read model
 * (indexed by customer and day), never every transaction loaded into Node.
 * Voided holds never count; pending ones do (the money is reserved); transfers
 * between a customer's own accounts are neither income nor spending.
 */
export class InsightsQueries {
  /** Spending per detailed category between two local dates (inclusive), largest first. */
  async spending(q: Queryable, p: { userId: string; currency: CurrencyCode; from: string; to: string; accountId?: string }): Promise<CategoryAmount[]> {
    const rows: { primary_category: string; category: string; spent: string; n: number }[] = await q.query(
      `SELECT primary_category, category, (-sum(amount))::text AS spent, count(*)::int AS n
       FROM insights.transactions
       WHERE user_id = $1 AND currency = $2 AND booked_on BETWEEN $3::date AND $4::date AND status <> 'VOIDED'
         AND own_transfer_with IS NULL AND primary_category <> ALL($5::text[]) AND ($6::uuid IS NULL OR account_id = $6::uuid)
       GROUP BY primary_category, category
       HAVING sum(amount) < 0
       ORDER BY sum(amount), category`,
      [p.userId, p.currency, p.from, p.to, NOT_SPENDING, p.accountId ?? null],
    );
    return rows.map((r) => ({ primary: r.primary_category as PrimaryCategory, category: r.category as DetailedCategory, spent: num(r.spent), count: r.n }));
  }

  /** Money in and out per calendar month from `fromMonth` (its first day) to `to` (inclusive). */
  async cashFlow(q: Queryable, p: { userId: string; currency: CurrencyCode; fromMonth: string; to: string; accountId?: string }): Promise<Map<string, MonthFlow>> {
    const rows: { month: string; income: string; net: string }[] = await q.query(
      `SELECT to_char(booked_on, 'YYYY-MM') AS month,
              coalesce(sum(amount) FILTER (WHERE amount > 0 AND primary_category = ANY($5::text[])), 0)::text AS income,
              sum(amount)::text AS net
       FROM insights.transactions
       WHERE user_id = $1 AND currency = $2 AND booked_on BETWEEN $3::date AND $4::date AND status <> 'VOIDED' AND own_transfer_with IS NULL
         AND ($6::uuid IS NULL OR account_id = $6::uuid)
       GROUP BY 1 ORDER BY 1`,
      [p.userId, p.currency, `${p.fromMonth}-01`, p.to, INCOME_PRIMARIES, p.accountId ?? null],
    );
    return new Map(
      rows.map((r) => {
        const income = num(r.income);
        const net = num(r.net);
        // Everything that is not income, net of refunds: income − spending = net.
        return [r.month, { month: r.month, income, spending: income - net, net }];
      }),
    );
  }

  /** Posted balances per currency of the customer's accounts (or one account) at the end of each day of a range, from the daily balances. */
  async balances(q: Queryable, p: { userId: string; from: string; to: string; accountId?: string }): Promise<{ currency: CurrencyCode; date: string; balance: bigint }[]> {
    const rows: { currency: string; day: string; balance: string }[] = await q.query(
      `WITH scope AS (
         SELECT currency, day, delta FROM insights.daily_balances
         WHERE user_id = $1 AND day <= $3::date AND ($4::uuid IS NULL OR account_id = $4::uuid)
       ),
       opening AS (SELECT currency, sum(delta) AS total FROM scope WHERE day < $2::date GROUP BY currency),
       daily AS (SELECT currency, day, sum(delta) AS delta FROM scope WHERE day >= $2::date GROUP BY currency, day),
       currencies AS (SELECT currency FROM opening UNION SELECT currency FROM daily),
       days AS (SELECT d::date AS day FROM generate_series($2::date, $3::date, interval '1 day') AS d)
       SELECT c.currency, to_char(days.day, 'YYYY-MM-DD') AS day,
              (coalesce(o.total, 0) + sum(coalesce(dl.delta, 0)) OVER (PARTITION BY c.currency ORDER BY days.day))::text AS balance
       FROM currencies c CROSS JOIN days
       LEFT JOIN opening o ON o.currency = c.currency
       LEFT JOIN daily dl ON dl.currency = c.currency AND dl.day = days.day
       ORDER BY c.currency, days.day`,
      [p.userId, p.from, p.to, p.accountId ?? null],
    );
    return rows.map((r) => ({ currency: r.currency as CurrencyCode, date: r.day, balance: num(r.balance) }));
  }

  /** The posted balance now of each of the customer's accounts in the read model. */
  async accountBalances(q: Queryable, userId: string): Promise<Map<string, { currency: CurrencyCode; balance: bigint }>> {
    const rows: { account_id: string; currency: string; balance: string }[] = await q.query(
      `SELECT account_id, currency, sum(delta)::text AS balance FROM insights.daily_balances WHERE user_id = $1 GROUP BY account_id, currency`,
      [userId],
    );
    return new Map(rows.map((r) => [r.account_id, { currency: r.currency as CurrencyCode, balance: num(r.balance) }]));
  }

  /**
   * Counterparties seen at least `minOccurrences` times since `since`, each with its dates and
   * amounts: the candidates the recurring-stream detection looks at. Grouped by merchant (or
   * cleaned name), direction and currency in SQL; a series is capped at its latest 400.
   */
  async recurringCandidates(q: Queryable, p: { userId: string; since: string; minOccurrences: number }): Promise<SeriesRow[]> {
    const rows: { key: string; name: string; direction: string; currency: string; category: string; ids: string[]; dates: string[]; amounts: string[] }[] =
      await q.query(
        `WITH scoped AS (
           SELECT coalesce(merchant_key, lower(coalesce(merchant_name, description))) AS key, coalesce(merchant_name, description) AS name,
                  CASE WHEN amount < 0 THEN 'OUTFLOW' ELSE 'INFLOW' END AS direction, currency, category, transfer_id, booked_on, abs(amount) AS amount,
                  row_number() OVER (PARTITION BY coalesce(merchant_key, lower(coalesce(merchant_name, description))), amount < 0, currency ORDER BY booked_on DESC) AS recent
           FROM insights.transactions
           WHERE user_id = $1 AND booked_on >= $2::date AND status <> 'VOIDED' AND own_transfer_with IS NULL
         )
         SELECT key, max(name) AS name, direction, currency, mode() WITHIN GROUP (ORDER BY category) AS category,
                array_agg(transfer_id::text ORDER BY booked_on, transfer_id) AS ids,
                array_agg(to_char(booked_on, 'YYYY-MM-DD') ORDER BY booked_on, transfer_id) AS dates,
                array_agg(amount::text ORDER BY booked_on, transfer_id) AS amounts
         FROM scoped WHERE recent <= 400
         GROUP BY key, direction, currency
         HAVING count(*) >= $3`,
        [p.userId, p.since, p.minOccurrences],
      );
    return rows.map((r) => ({
      key: r.key,
      name: r.name,
      direction: r.direction as SeriesRow['direction'],
      currency: r.currency as CurrencyCode,
      category: r.category as DetailedCategory,
      ids: r.ids,
      dates: r.dates,
      amounts: r.amounts.map((a) => BigInt(a)),
    }));
  }

  /** Spending this month per budgeted category (primary or detailed), for the customer's budgets. */
  async budgetSpending(q: Queryable, p: { userId: string; monthStart: string; to: string }): Promise<{ category: string; currency: CurrencyCode; amount: bigint; spent: bigint }[]> {
    const rows: { category: string; currency: string; amount: string; spent: string }[] = await q.query(
      `SELECT b.category, b.currency, b.amount::text AS amount,
              coalesce((SELECT -sum(t.amount) FROM insights.transactions t
                        WHERE t.user_id = b.user_id AND t.currency = b.currency AND t.booked_on BETWEEN $2::date AND $3::date
                          AND t.status <> 'VOIDED' AND t.own_transfer_with IS NULL AND (t.primary_category = b.category OR t.category = b.category)), 0)::text AS spent
       FROM insights.budgets b WHERE b.user_id = $1 ORDER BY b.category, b.currency`,
      [p.userId, p.monthStart, p.to],
    );
    return rows.map((r) => ({ category: r.category, currency: r.currency as CurrencyCode, amount: num(r.amount), spent: num(r.spent) }));
  }

  /**
   * Monthly spending of each category over the months before `monthStart` (at most `months`),
   * and this month's so far: what the unusual-spending rule compares.
   */
  async categoryHistory(q: Queryable, p: { userId: string; monthStart: string; to: string; months: number }): Promise<{ category: string; currency: CurrencyCode; month: string; spent: bigint }[]> {
    const rows: { primary_category: string; currency: string; month: string; spent: string }[] = await q.query(
      `SELECT primary_category, currency, to_char(booked_on, 'YYYY-MM') AS month, (-sum(amount))::text AS spent
       FROM insights.transactions
       WHERE user_id = $1 AND booked_on >= ($2::date - make_interval(months => $4)) AND booked_on <= $3::date AND status <> 'VOIDED'
         AND own_transfer_with IS NULL AND primary_category <> ALL($5::text[])
       GROUP BY 1, 2, 3`,
      [p.userId, p.monthStart, p.to, p.months, NOT_SPENDING],
    );
    return rows.map((r) => ({ category: r.primary_category, currency: r.currency as CurrencyCode, month: r.month, spent: num(r.spent) }));
  }
}
