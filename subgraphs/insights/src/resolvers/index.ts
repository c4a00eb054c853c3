import { DateTimeScalar, errors, formatDecimal, isUuid, requireUser, type CurrencyCode, type SubgraphContext } from '@meridian/platform';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Resolvers } from '../__generated__/resolvers-types';
import { PRIMARY_CATEGORIES, TAXONOMY, type DetailedCategory } from '../domain/taxonomy';
import type { AccountDirectory } from '../services/accounts';
import { encodeAlertCursor, type AlertStore } from '../services/alert-store';
import type { CategoryRules } from '../services/category-rules';
import type { CashForecaster } from '../services/cash-forecaster';
import type { InsightsService } from '../services/insights-service';
import type { TransactionModel } from './models';
import { mutationResolvers } from './mutations';
import { loadTransactions } from './transaction-loader';
import { category, DEFAULT_CURRENCY, goalView, money, ruleView, spendingOf, storedCategory } from './views';

/** What the resolvers call. */
export interface InsightsServices {
  db: DataSource;
  insights: InsightsService;
  rules: CategoryRules;
  alerts: AlertStore;
  accounts: AccountDirectory;
  forecaster: CashForecaster;
}

/** Only the customer sees their own insights: anyone else (staff included) gets null. */
function ownerOnly(ctx: SubgraphContext, userId: string): boolean {
  return requireUser(ctx).userId === userId;
}

/** The resolvers of the insights subgraph. */
export function createResolvers(services: InsightsServices): Resolvers {
  const transactionLoaders = new WeakMap<SubgraphContext, DataLoader<{ transferId: string; accountId: string }, TransactionModel | null, string>>();
  const { db, insights, rules, alerts, accounts } = services;

  return {
    DateTime: DateTimeScalar,
    Money: {
      amount: (m) => formatDecimal(m.amount, m.currency),
    },
    Query: {
      categories: () =>
        PRIMARY_CATEGORIES.map((primary) => ({
          category: category(primary),
          detailed: (Object.keys(TAXONOMY[primary].detailed) as DetailedCategory[]).map(category),
        })),
    },
    User: {
      __resolveReference: (reference) => ({ id: reference.id }),
      insights: (user, _args, ctx) => (ownerOnly(ctx, user.id) ? { userId: user.id } : null),
    },
    Account: {
      __resolveReference: (reference) => ({ id: reference.id }),
      insights: async (account, _args, ctx) => {
        const viewer = requireUser(ctx);
        if (!isUuid(account.id)) return null;
        const known = (await accounts.resolve(db, [account.id]).catch(() => new Map())).get(account.id);
        return known && known.userId === viewer.userId ? { account: known } : null;
      },
    },
    Transaction: {
      __resolveReference: async (reference, ctx) => {
        const viewer = requireUser(ctx);
        const ref = { transferId: String(reference.transferId), accountId: String(reference.accountId) };
        // A page of transactions is one query: the references of a request are loaded together.
        let loader = transactionLoaders.get(ctx);
        if (!loader) {
          loader = new DataLoader<{ transferId: string; accountId: string }, TransactionModel | null, string>(
            async (refs) => {
              const found = await loadTransactions(db, refs, viewer.userId);
              return refs.map((r) => found.get(`${r.transferId}|${r.accountId}`) ?? null);
            },
            { cacheKeyFn: (r) => `${r.transferId}|${r.accountId}`, maxBatchSize: 500 },
          );
          transactionLoaders.set(ctx, loader);
        }
        // Not (yet) in the read model, or not the viewer's: the key alone, so the fields are null.
        return (await loader.load(ref)) ?? { ...ref, category: null, categorySource: null, merchantKey: null, merchantName: null };
      },
      category: (t) => storedCategory(t.category),
      categorySource: (t) => (t.categorySource as never) ?? null,
      merchant: (t) => (t.merchantName ? { key: t.merchantKey, name: t.merchantName } : null),
    },
    UserInsights: {
      spendingByCategory: async ({ userId }, { period, currency }) => {
        const c = currency ?? DEFAULT_CURRENCY;
        const { total, categories } = await insights.spendingByCategory(userId, period, c);
        return { from: period.from, to: period.to, total: money(total, c), categories: categories.map((x) => spendingOf(x, c)) };
      },
      cashFlow: async ({ userId }, { months, currency }) => {
        const c = currency ?? DEFAULT_CURRENCY;
        const flows = await insights.cashFlowMonths(userId, months ?? 6, c);
        const forecast = await services.forecaster.forecast(userId, c);
        return {
          currency: c,
          months: flows.map((f) => ({ month: f.month, income: money(f.income, c), spending: money(f.spending, c), net: money(f.net, c) })),
          forecast: {
            startingBalance: money(forecast.startingBalance, c),
            days: forecast.days.map((d) => ({ date: d.date, balance: money(d.balance, c) })),
            lowest: { date: forecast.lowest.date, balance: money(forecast.lowest.balance, c) },
            expected: forecast.expected.map((e) => ({ date: e.date, name: e.name, amount: money(e.amount, c) })),
          },
        };
      },
      budgets: async ({ userId }) =>
        (await insights.budgets(userId)).map((b) => ({
          category: storedCategory(b.category)!,
          amount: money(b.budget, b.currency),
          spent: money(b.spent, b.currency),
          remaining: money(b.remaining, b.currency),
          projectedMonthEnd: money(b.projectedMonthEnd, b.currency),
          overBudget: b.overBudget,
          projectedOver: b.projectedOver,
        })),
      recurring: async ({ userId }) =>
        (await insights.recurring(userId)).map((s) => ({
          merchant: { key: s.key.includes(' ') ? null : s.key, name: s.name },
          category: storedCategory(s.category ?? null),
          direction: s.direction,
          frequency: s.frequency,
          occurrences: s.occurrences,
          averageAmount: money(s.averageAmount, s.currency),
          lastAmount: money(s.lastAmount, s.currency),
          lastDate: s.lastDate,
          nextDate: s.nextDate,
          nextAmount: money(s.nextAmount, s.currency),
          isActive: s.isActive,
          priceIncrease: s.priceIncrease ? { from: money(s.priceIncrease.from, s.currency), to: money(s.priceIncrease.to, s.currency), since: s.priceIncrease.at } : null,
        })),
      goals: async ({ userId }) => (await insights.goals(userId)).map(goalView),
      alerts: ({ userId }, { first, after }) => alerts.page(db, userId, first ?? 20, after),
      netWorth: async ({ userId }, { range }) =>
        [...(await insights.netWorth(userId, range))].map(([currency, points]) => ({ currency, points: points.map((p) => ({ date: p.date, balance: money(p.balance, currency) })) })),
      rules: async ({ userId }) => (await rules.list(userId)).map((rule) => ruleView(rule)),
    },
    AccountInsights: {
      spendingThisMonth: async ({ account }) => {
        const currency = account.currency as CurrencyCode;
        const [month] = await insights.cashFlowMonths(account.userId!, 1, currency, account.id);
        return money(month.spending, currency);
      },
      incomeThisMonth: async ({ account }) => {
        const currency = account.currency as CurrencyCode;
        const [month] = await insights.cashFlowMonths(account.userId!, 1, currency, account.id);
        return money(month.income, currency);
      },
      topCategories: async ({ account }, { first }) => {
        const n = first ?? 3;
        if (!Number.isInteger(n) || n < 1 || n > 16) throw errors.badInput('first must be between 1 and 16.', { field: 'first' });
        const currency = account.currency as CurrencyCode;
        const today = insights.today();
        const { categories } = await insights.spendingByCategory(account.userId!, { from: `${today.slice(0, 7)}-01`, to: today }, currency, account.id);
        return categories.slice(0, n).map((c) => spendingOf(c, currency));
      },
      balanceHistory: async ({ account }, { days }) => {
        const n = days ?? 30;
        if (!Number.isInteger(n) || n < 1 || n > 366) throw errors.badInput('days must be between 1 and 366.', { field: 'days' });
        const to = insights.today();
        const from = new Date(Date.parse(`${to}T00:00:00Z`) - (n - 1) * 86_400_000).toISOString().slice(0, 10);
        const series = await insights.netWorth(account.userId!, { from, to }, account.id);
        const currency = account.currency as CurrencyCode;
        const points = series.get(currency) ?? [];
        // An account that never moved money has a zero balance every day.
        const byDate = new Map(points.map((p) => [p.date, p.balance]));
        return Array.from({ length: n }, (_, i) => {
          const date = new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
          return { date, balance: money(byDate.get(date) ?? 0n, currency) };
        });
      },
    },
    AlertConnection: {
      edges: (page) => page.items.map((a) => ({ cursor: encodeAlertCursor(a), node: a })),
      pageInfo: (page) => ({
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.items.length ? encodeAlertCursor(page.items[0]) : null,
        endCursor: page.items.length ? encodeAlertCursor(page.items[page.items.length - 1]) : null,
      }),
      unreadCount: (page) => page.unreadCount,
    },
    Mutation: mutationResolvers(services),
  };
}
