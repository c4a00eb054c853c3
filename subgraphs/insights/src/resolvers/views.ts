import type { CurrencyCode } from '@meridian/platform';
import { categoryLabel, isDetailedCategory, isPrimaryCategory, primaryOf, type DetailedCategory, type PrimaryCategory } from '../domain/taxonomy';
import type { CategoryRules } from '../services/category-rules';
import type { InsightsService, PrimarySpending } from '../services/insights-service';

// How the resolvers show the services' results: money with its currency, categories with their labels.

/** An amount with its currency, as the graph shows money. */
export const money = (amount: bigint, currency: CurrencyCode) => ({ amount, currency });
/** The currency asked about when the query names none. */
export const DEFAULT_CURRENCY: CurrencyCode = 'GBP';

/** A category of the taxonomy as the graph shows it. */
export function category(id: PrimaryCategory | DetailedCategory) {
  const primary = isPrimaryCategory(id) ? id : primaryOf(id);
  return { id, label: categoryLabel(id), primary, primaryLabel: categoryLabel(primary) };
}

/** A stored category that may no longer be in the taxonomy shows as itself rather than failing the query. */
export function storedCategory(id: string | null) {
  if (!id) return null;
  return isPrimaryCategory(id) || isDetailedCategory(id) ? category(id) : { id, label: id, primary: id, primaryLabel: id };
}

/** Spending in a primary category, with its detailed split. */
export function spendingOf(c: PrimarySpending, currency: CurrencyCode) {
  return {
    category: category(c.primary),
    amount: money(c.amount, currency),
    shareBasisPoints: c.shareBasisPoints,
    transactionCount: c.count,
    detailed: c.detailed.map((d) => ({ category: category(d.category), amount: money(d.amount, currency), transactionCount: d.count })),
  };
}

/** A goal with its progress. */
export function goalView(g: Awaited<ReturnType<InsightsService['goals']>>[number]) {
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

/** A category rule; its amounts are in `currency`. */
export function ruleView(rule: Awaited<ReturnType<CategoryRules['list']>>[number], currency: CurrencyCode = DEFAULT_CURRENCY) {
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
