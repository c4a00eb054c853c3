import { DateTime } from 'luxon';
import type { InsightsServer } from './server';

/** The demo customer's monthly budgets. */
const DEMO_BUDGETS = [
  { category: 'FOOD_AND_DRINK', amount: '450.00' },
  { category: 'TRANSPORTATION', amount: '120.00' },
  { category: 'ENTERTAINMENT', amount: '60.00' },
] as const;

/**
 * Gives the demo customer budgets and a savings goal on their savings account, once:
 * a later start finds them and adds nothing. Answers what it did.
 */
export async function seedDemoInsights(server: Pick<InsightsServer, 'dataSource' | 'insights'>, p: { userId: string; savingsAccountId: string }): Promise<'created' | 'existing'> {
  const [{ n }] = await server.dataSource.query(`SELECT count(*)::int AS n FROM insights.budgets WHERE user_id = $1`, [p.userId]);
  if ((n as number) > 0) return 'existing';
  for (const b of DEMO_BUDGETS) await server.insights.setBudget(p.userId, { ...b, currency: 'GBP' });
  const targetDate = DateTime.fromISO(server.insights.today()).plus({ months: 8 }).toISODate()!;
  await server.insights.createGoal(p.userId, { name: 'Lisbon in the spring', targetAmount: '6000.00', targetDate, accountId: p.savingsAccountId });
  return 'created';
}
