import type { AccountSummary } from '../../src/accounts/use-accounts';

const money = (amount: string, currency: AccountSummary['currency']) => ({ amount, currency });

/** An account as the Accounts query returns it. */
export function account(id: string, name: string, currency: AccountSummary['currency'], available: string, overrides: Partial<AccountSummary> = {}): AccountSummary {
  return {
    id,
    number: '4000000000014',
    type: 'CURRENT',
    currency,
    name,
    status: 'ACTIVE',
    openedAt: '2026-01-01T09:00:00.000Z',
    balance: { posted: money(available, currency), pending: money(currency === 'JPY' ? '0' : '0.00', currency), available: money(available, currency) },
    ...overrides,
  };
}
