import { errors, isUuid, parseDecimal, requireUser } from '@meridian/platform';
import type { MutationResolvers } from '../__generated__/resolvers-types';
import type { InsightsServices } from './index';
import { DEFAULT_CURRENCY, goalView, money, ruleView, storedCategory } from './views';

/** The insights mutations: category rules, budgets, goals and alerts. Thin: arguments in, one service call, result out. */
export function mutationResolvers(services: InsightsServices): MutationResolvers {
  const { db, insights, rules, alerts } = services;
  return {
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
  };
}

function nonNegative(amount: bigint, field: string): bigint {
  if (amount < 0n) throw errors.badInput(`${field} cannot be negative.`, { field });
  return amount;
}
