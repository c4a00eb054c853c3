import { DateTimeScalar, errors, formatDecimal, isUuid, parseDecimal, requireUser, type CurrencyCode, type SubgraphContext } from '@meridian/platform';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Resolvers } from '../__generated__/resolvers-types';
import { categoryLabel, isDetailedCategory, isPrimaryCategory, PRIMARY_CATEGORIES, primaryOf, TAXONOMY, type DetailedCategory, type PrimaryCategory } from '../domain/taxonomy';
import type { AccountDirectory } from '../services/accounts';
import { encodeAlertCursor, type AlertStore } from '../services/alert-store';
import type { CategoryRules } from '../services/category-rules';
import type { CashForecaster } from '../services/cash-forecaster';
import type { InsightsService, PrimarySpending } from '../services/insights-service';
import type { TransactionModel } from './models';

/** What the resolvers call. */
export interface InsightsServices {
  db: DataSource;
  insights: InsightsService;
  rules: CategoryRules;
  alerts: AlertStore;
  accounts: AccountDirectory;
  forecaster: CashForecaster;
}

const money = (amount: bigint, currency: CurrencyCode) => ({ amount, currency });
const DEFAULT_CURRENCY: CurrencyCode = 'GBP';

/** A category of the taxonomy as the graph shows it. */
function category(id: PrimaryCategory | DetailedCategory) {
  const primary = isPrimaryCategory(id) ? id : primaryOf(id);
  return { id, label: categoryLabel(id), primary, primaryLabel: categoryLabel(primary) };
}

/** A stored category that may no longer be in the taxonomy shows as itself rather than failing the query. */
function storedCategory(id: string | null) {
  if (!id) return null;
  return isPrimaryCategory(id) || isDetailedCategory(id) ? category(id) : { id, label: id, primary: id, primaryLabel: id };
}

function spendingOf(c: PrimarySpending, currency: CurrencyCode) {
  return {
    category: category(c.primary),
    amount: money(c.amount, currency),
    shareBasisPoints: c.shareBasisPoints,
    transactionCount: c.count,
    detailed: c.detailed.map((d) => ({ category: category(d.category), amount: money(d.amount, currency), transactionCount: d.count })),
  };
}

/** Only the customer sees their own insights: anyone else (staff included) gets null. */
function ownerOnly(ctx: SubgraphContext, userId: string): boolean {
  return requireUser(ctx).userId === userId;
}

/** The resolvers of the insights subgraph. */
export function createResolvers(services: InsightsServices): Resolvers {
  const transactionLoaders = new WeakMap<SubgraphContext, DataLoader<{ transferId: string; accountId: string }, TransactionModel | null, string>>();
  const { db, insights, rules, alerts, accounts } = services;
  const loadTransactions = async (refs: readonly { transferId: string; accountId: string }[], userId: string): Promise<Map<string, TransactionModel>> => {
    const valid = refs.filter((r) => isUuid(r.transferId) && isUuid(r.accountId));
    if (valid.length === 0) return new Map();
    // A settled hold is listed by banking under the post that settled it: either id finds the row.
    const rows: { transfer_id: string; settled_by: string | null; account_id: string; category: string; category_source: string; merchant_key: string | null; merchant_name: string | null }[] =
      await db.query(
        `SELECT t.transfer_id, t.settled_by, t.account_id, t.category, t.category_source, t.merchant_key, t.merchant_name
         FROM insights.transactions t JOIN unnest($1::uuid[], $2::uuid[]) AS r (transfer_id, account_id)
           ON (t.transfer_id = r.transfer_id OR t.settled_by = r.transfer_id) AND t.account_id = r.account_id
         WHERE t.user_id = $3`,
        [valid.map((r) => r.transferId), valid.map((r) => r.accountId), userId],
      );
    const found = new Map<string, TransactionModel>();
    for (const r of rows) {
      const model = { transferId: r.transfer_id, accountId: r.account_id, category: r.category, categorySource: r.category_source, merchantKey: r.merchant_key, merchantName: r.merchant_name };
      found.set(`${r.transfer_id}|${r.account_id}`, model);
      if (r.settled_by) found.set(`${r.settled_by}|${r.account_id}`, { ...model, transferId: r.settled_by });
    }
    return found;
  };

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
              const found = await loadTransactions(refs, viewer.userId);
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
    Mutation: {
      createCategoryRule: async (_parent, { input }, ctx) => {
        const viewer = requireUser(ctx);
        const currency = input.currency ?? DEFAULT_CURRENCY;
        const amount = (value: string | null | undefined, field: string) => (value == null ? null : nonNegative(parseDecimal(value, currency, field), field));
        const rule = await rules.create(viewer.userId, {
          merchantKey: input.merchantKey ?? null,
          pattern: input.pattern ?? null,
          minAmount: amount(input.minAmount, 'minAmount'),
          maxAmount: amount(input.maxAmount, 'maxAmount'),
          category: input.category,
        });
        return ruleView(rule, currency);
      },
      deleteCategoryRule: async (_parent, { id }, ctx) => {
        const viewer = requireUser(ctx);
        if (!isUuid(id)) throw errors.notFound('Category rule not found.');
        await rules.remove(viewer.userId, id);
        return true;
      },
      recategorizeTransaction: async (_parent, args, ctx) => {
        const viewer = requireUser(ctx);
        if (!isUuid(args.transferId) || !isUuid(args.accountId)) throw errors.notFound('Transaction not found.');
        const result = await rules.recategorize(viewer.userId, { transferId: args.transferId, accountId: args.accountId, category: args.category, applyToMerchant: args.applyToMerchant ?? false });
        return { updated: result.updated, rule: result.rule ? ruleView(result.rule) : null };
      },
      setBudget: async (_parent, { input }, ctx) => {
        const viewer = requireUser(ctx);
        const currency = input.currency ?? DEFAULT_CURRENCY;
        await insights.setBudget(viewer.userId, { category: input.category, amount: input.amount, currency });
        const budget = (await insights.budgets(viewer.userId)).find((b) => b.category === input.category && b.currency === currency);
        if (!budget) throw errors.badInput('You can keep at most 100 budgets; delete one first.', { field: 'category' });
        return {
          category: storedCategory(budget.category)!,
          amount: money(budget.budget, currency),
          spent: money(budget.spent, currency),
          remaining: money(budget.remaining, currency),
          projectedMonthEnd: money(budget.projectedMonthEnd, currency),
          overBudget: budget.overBudget,
          projectedOver: budget.projectedOver,
        };
      },
      deleteBudget: async (_parent, { category: id, currency }, ctx) => {
        const viewer = requireUser(ctx);
        if (!(await insights.deleteBudget(viewer.userId, id, currency ?? DEFAULT_CURRENCY))) throw errors.notFound('Budget not found.');
        return true;
      },
      createGoal: async (_parent, { input }, ctx) => goalView(await insights.createGoal(requireUser(ctx).userId, input)),
      updateGoal: async (_parent, { id, input }, ctx) => {
        const viewer = requireUser(ctx);
        if (!isUuid(id)) throw errors.notFound('Goal not found.');
        return goalView(await insights.updateGoal(viewer.userId, id, input));
      },
      deleteGoal: async (_parent, { id }, ctx) => {
        const viewer = requireUser(ctx);
        if (!isUuid(id) || !(await insights.deleteGoal(viewer.userId, id))) throw errors.notFound('Goal not found.');
        return true;
      },
      markAlertsRead: (_parent, { ids }, ctx) => alerts.markRead(db, requireUser(ctx).userId, ids),
    },
  };
}

function nonNegative(amount: bigint, field: string): bigint {
  if (amount < 0n) throw errors.badInput(`${field} cannot be negative.`, { field });
  return amount;
}

function goalView(g: Awaited<ReturnType<InsightsService['goals']>>[number]) {
  return {
    id: g.id,
    name: g.name,
    target: money(g.target, g.currency),
    targetDate: g.targetDate,
    accountId: g.accountId,
    saved: money(g.saved, g.currency),
    progressBasisPoints: g.progress.progressBasisPoints,
    remaining: money(g.progress.remaining, g.currency),
    monthlyNeeded: g.targetDate ? money(g.progress.monthlyNeeded, g.currency) : null,
    reached: g.progress.reached,
  };
}

function ruleView(rule: Awaited<ReturnType<CategoryRules['list']>>[number], currency: CurrencyCode = DEFAULT_CURRENCY) {
  return {
    id: rule.id,
    merchantKey: rule.merchantKey ?? null,
    pattern: rule.pattern ?? null,
    minAmount: rule.minAmount != null ? money(rule.minAmount, currency) : null,
    maxAmount: rule.maxAmount != null ? money(rule.maxAmount, currency) : null,
    category: category(rule.category),
    createdAt: rule.createdAt,
  };
}
