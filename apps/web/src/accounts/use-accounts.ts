import { AccountsDocument, type AccountsQuery } from '@meridian/client/web';
import { useMeridianQuery } from '../api/use-meridian';

/** An account as the dashboard shows it (the `AccountSummary` fragment). */
export type AccountSummary = AccountsQuery['me']['accounts'][number];

/** The signed-in user's accounts, closed ones included (one cache entry for every screen). */
export function useAccounts() {
  return useMeridianQuery(AccountsDocument, { includeClosed: true });
}

const TYPE_LABELS: Record<AccountSummary['type'], string> = { CURRENT: 'Current account', SAVINGS: 'Savings', WALLET: 'Wallet', LOAN: 'Loan' };

/** "Current account", "Savings", … */
export function accountTypeLabel(type: AccountSummary['type']): string {
  return TYPE_LABELS[type];
}

/** The 13-digit account number in groups, as printed on statements: "1234 5678 9012 3". */
export function formatAccountNumber(number: string): string {
  return number.replace(/(\d{4})(?=\d)/g, '$1 ');
}
