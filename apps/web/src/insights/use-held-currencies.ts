import type { CurrencyCode } from '@meridian/client/web';
import { useAccounts } from '../accounts/use-accounts';
import { CURRENCIES, defaultCurrency } from './insights-period';

/** The currencies of the customer's accounts (closed ones too: their past still counts), and the one to show first. */
export function useHeldCurrencies(): { held: CurrencyCode[]; preferred: CurrencyCode } {
  const accounts = useAccounts();
  const owned = new Set(accounts.data?.me.accounts.map((a) => a.currency) ?? []);
  const held = CURRENCIES.filter((c) => owned.has(c));
  return { held, preferred: defaultCurrency(held) };
}
