import type { CurrencyCode } from './currency';

export type AccountKind = 'CUSTOMER' | 'SYSTEM';
export type CustomerAccountType = 'CURRENT' | 'SAVINGS' | 'WALLET' | 'LOAN';
export type SystemAccountType = 'SETTLEMENT' | 'FEES' | 'FX' | 'CLEARING';
export type AccountType = CustomerAccountType | SystemAccountType;
export type AccountStatus = 'ACTIVE' | 'FROZEN' | 'CLOSED';

/** An account with its balance counters (minor units). */
export interface AccountRecord {
  id: string;
  number: string;
  ownerId: string | null;
  kind: AccountKind;
  type: AccountType;
  currency: CurrencyCode;
  name: string;
  status: AccountStatus;
  overdraftLimit: bigint;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  openedAt: Date;
  closedAt: Date | null;
}

/** Posted, pending and available balances as the customer sees them. */
export interface Balance {
  /** Settled: credits minus debits. */
  posted: bigint;
  /** Net of open holds: pending credits minus pending debits. */
  pending: bigint;
  /** What can be spent: posted minus pending debits (pending credits are not spendable yet), plus any overdraft. */
  available: bigint;
}

/** Balances of an account from its counters. */
export function balanceOf(account: AccountRecord): Balance {
  const posted = account.creditsPosted - account.debitsPosted;
  return {
    posted,
    pending: account.creditsPending - account.debitsPending,
    available: posted - account.debitsPending + (account.kind === 'CUSTOMER' ? account.overdraftLimit : 0n),
  };
}

/** Customer accounts may not go below their overdraft limit; system accounts may go negative. */
export function withinLimits(account: AccountRecord): boolean {
  if (account.kind === 'SYSTEM') return true;
  return account.creditsPosted - account.debitsPosted - account.debitsPending + account.overdraftLimit >= 0n;
}
