import type { CurrencyCode } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { forecastCash } from '../domain/forecast';
import { balanceIn, type InsightsService } from './insights-service';

/** The next 30 days as the graph shows them. */
export interface ForecastView {
  startingBalance: bigint;
  days: { date: string; balance: bigint }[];
  lowest: { date: string; balance: bigint };
  /** Expected income (positive) and payments (negative), by date. */
  expected: { date: string; name: string; amount: bigint }[];
}

/** The cash forecast of a customer in one currency: today's posted balance and the active recurring streams in it. */
export class CashForecaster {
  constructor(
    private readonly db: DataSource,
    private readonly insights: InsightsService,
  ) {}

  /** The forecast, and the streams and balance it was made from (for the alert rules). */
  async forecast(userId: string, currency: CurrencyCode, streams?: Awaited<ReturnType<InsightsService['recurring']>>): Promise<ForecastView & { raw: ReturnType<typeof forecastCash> }> {
    const all = streams ?? (await this.insights.recurring(userId));
    const balance = await balanceIn(this.db, this.insights.queries, userId, currency);
    const raw = forecastCash({ today: this.insights.today(), balance, streams: all.filter((s) => s.currency === currency) });
    return {
      raw,
      startingBalance: raw.startingBalance,
      days: raw.days.map((d) => ({ date: d.date, balance: d.balance })),
      lowest: raw.lowest,
      expected: raw.occurrences.map((o) => ({ date: o.date, name: o.name, amount: o.direction === 'INFLOW' ? o.amount : -o.amount })),
    };
  }
}
