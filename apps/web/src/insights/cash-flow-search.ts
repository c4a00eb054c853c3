import type { CurrencyCode } from '@meridian/client/web';
import { CURRENCIES } from './insights-period';

/** The spans the cash-flow screen offers, in months (the current one included); insights takes 1 to 24. */
export const MONTH_SPANS = [3, 6, 12, 24] as const;

/** The cash-flow screen's choices as they sit in the address (`?months=12&currency=EUR`). */
export interface CashFlowSearch {
  months?: (typeof MONTH_SPANS)[number];
  currency?: CurrencyCode;
}

/** Keeps the well-formed parts of the cash-flow screen's address. */
export function readCashFlowSearch(search: Record<string, unknown>): CashFlowSearch {
  const out: CashFlowSearch = {};
  const months = Number(search.months);
  if (MONTH_SPANS.includes(months as CashFlowSearch['months'] & number)) out.months = months as CashFlowSearch['months'];
  if (CURRENCIES.includes(search.currency as CurrencyCode)) out.currency = search.currency as CurrencyCode;
  return out;
}
