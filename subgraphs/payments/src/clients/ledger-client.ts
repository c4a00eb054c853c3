import { formatDecimal, parseDecimal, ServiceCallError, type CurrencyCode, type ServiceClient } from '@meridian/platform';
import pRetry from 'p-retry';

/** A ledger account as payments needs to know it. */
export interface LedgerAccount {
  id: string;
  ownerId: string | null;
  kind: 'CUSTOMER' | 'SYSTEM';
  type: string;
  name: string;
  currency: CurrencyCode;
  status: 'ACTIVE' | 'FROZEN' | 'CLOSED';
  available: bigint;
}

/** A ledger transfer as payments needs to know it. */
export interface LedgerTransfer {
  id: string;
  status: 'PENDING' | 'POSTED' | 'VOIDED' | 'EXPIRED';
  phase: string;
}

/** One leg of a transfer: money leaves `from` and reaches `to`. */
export interface TransferLeg {
  id: string;
  code: string;
  description: string;
  from: string;
  to: string;
  amount: bigint;
  currency: CurrencyCode;
  /** Why the transfer exists, e.g. `payment:<id>`. */
  causedBy: string;
  metadata?: Record<string, string | number | boolean | null>;
}

interface AccountJson {
  id: string;
  ownerId: string | null;
  kind: 'CUSTOMER' | 'SYSTEM';
  type: string;
  name: string;
  currency: CurrencyCode;
  status: LedgerAccount['status'];
  available: string;
}

const toAccount = (a: AccountJson): LedgerAccount => ({
  id: a.id,
  ownerId: a.ownerId,
  kind: a.kind,
  type: a.type,
  name: a.name,
  currency: a.currency,
  status: a.status,
  available: parseDecimal(a.available, a.currency),
});

/** How long a payment's hold lasts before the ledger releases it by itself: 7 days. */
export const HOLD_TIMEOUT_SECONDS = 7 * 24 * 3600;

/**
 * Banking's internal ledger API as payments uses it. Every write is
 * idempotent by its transfer id, so a call whose outcome is unknown (a
 * timeout, a lost connection, SERVICE_UNAVAILABLE) is sent again with the
 * same id a few times before the caller hears of it.
 */
export class LedgerClient {
  constructor(private readonly api: ServiceClient) {}

  /** An account, or null. */
  async account(id: string): Promise<LedgerAccount | null> {
    try {
      return toAccount(await this.api.request<AccountJson>('GET', `/internal/ledger/accounts/${encodeURIComponent(id)}`));
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /** A customer's accounts, oldest first. */
  async accountsOf(userId: string): Promise<LedgerAccount[]> {
    const body = await this.api.request<{ accounts: AccountJson[] }>('GET', `/internal/ledger/users/${encodeURIComponent(userId)}/accounts`);
    return body.accounts.map(toAccount);
  }

  /** The bank's own account of a type and currency. */
  async systemAccount(type: 'CLEARING' | 'SETTLEMENT', currency: CurrencyCode): Promise<LedgerAccount> {
    return toAccount(await this.retrying(() => this.api.request<AccountJson>('POST', '/internal/ledger/system-accounts', { type, currency })));
  }

  /** Reserves money with a pending transfer (the payment's hold). */
  hold(leg: TransferLeg): Promise<LedgerTransfer> {
    return this.retrying(() => this.api.request<LedgerTransfer>('POST', '/internal/ledger/transfers', { ...body(leg), pendingTimeoutSeconds: HOLD_TIMEOUT_SECONDS }));
  }

  /** Moves money at once (a refund). */
  move(leg: TransferLeg): Promise<LedgerTransfer> {
    return this.retrying(() => this.api.request<LedgerTransfer>('POST', '/internal/ledger/transfers', body(leg)));
  }

  /** Posts a hold in full under the transfer id `id`. */
  post(pendingId: string, id: string): Promise<LedgerTransfer> {
    return this.retrying(() => this.api.request<LedgerTransfer>('POST', `/internal/ledger/transfers/${pendingId}/post`, { id }));
  }

  /** Releases a hold under the transfer id `id`. */
  void(pendingId: string, id: string): Promise<LedgerTransfer> {
    return this.retrying(() => this.api.request<LedgerTransfer>('POST', `/internal/ledger/transfers/${pendingId}/void`, { id }));
  }

  /** A transfer, or null. */
  async transfer(id: string): Promise<LedgerTransfer | null> {
    try {
      return await this.api.request<LedgerTransfer>('GET', `/internal/ledger/transfers/${id}`);
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  // Only outcomes the caller cannot know are retried; a refusal is an answer.
  private retrying<T>(call: () => Promise<T>): Promise<T> {
    return pRetry(call, {
      retries: 3,
      minTimeout: 50,
      maxTimeout: 500,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof ServiceCallError || (error as { code?: string }).code === 'SERVICE_UNAVAILABLE',
    });
  }
}

function body(leg: TransferLeg) {
  return {
    id: leg.id,
    code: leg.code,
    description: leg.description,
    causedBy: leg.causedBy,
    ...(leg.metadata ? { metadata: leg.metadata } : {}),
    postings: [
      { accountId: leg.from, direction: 'DEBIT', amount: formatDecimal(leg.amount, leg.currency), currency: leg.currency },
      { accountId: leg.to, direction: 'CREDIT', amount: formatDecimal(leg.amount, leg.currency), currency: leg.currency },
    ],
  };
}
