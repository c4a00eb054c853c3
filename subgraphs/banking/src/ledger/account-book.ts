import { DomainError, ErrorCode, errors } from '@meridian/platform';
import { withinLimits, type AccountRecord } from '../domain/account';
import type { CurrencyCode } from '../domain/currency';
import { MAX_MINOR_UNITS } from '../domain/money';
import type { Direction, PostingRecord } from '../domain/transfer';

/** A change to one account's counters inside a transfer. */
export interface CounterChange {
  accountId: string;
  direction: Direction;
  amount: bigint;
  currency: CurrencyCode;
  /** Affects the pending counters (a hold) rather than the posted ones. */
  pending: boolean;
  /** +1 applies, -1 releases (only for pending holds being posted, voided or expired). */
  sign: 1 | -1;
  /** Whether a posting row records this change (releases are recorded by the transfer's status). */
  record: boolean;
}

/** A posting a transfer will write, with the account's posted balance right after it (null while pending): a record before its id and time. */
export type PlannedPosting = Omit<PostingRecord, 'id' | 'createdAt'>;

const COUNTERS = ['debitsPosted', 'creditsPosted', 'debitsPending', 'creditsPending'] as const;

/**
 * The locked accounts of one database transaction, as the transfers applied so
 * far leave them. Each transfer is tried on top of the ones accepted before it
 * and kept whole or not at all, so a refused transfer never changes what the
 * next one sees, and the counters are written once at the end.
 */
export class AccountBook {
  private readonly current: Map<string, AccountRecord>;
  private readonly changed = new Set<string>();

  constructor(accounts: Iterable<AccountRecord>) {
    this.current = new Map([...accounts].map((a) => [a.id, a]));
  }

  /** The account as the accepted transfers leave it, or undefined when it was not locked (does not exist). */
  get(id: string): AccountRecord | undefined {
    return this.current.get(id);
  }

  /**
   * Applies one transfer's changes, or none of them. Returns the postings to
   * record, in the order given. Errors: NOT_FOUND, CONFLICT (closed, or frozen
   * unless `allowFrozen`), BAD_USER_INPUT (currency, 64-bit range), INSUFFICIENT_FUNDS.
   */
  apply(changes: CounterChange[], options: { allowFrozen?: boolean } = {}): PlannedPosting[] {
    const next = new Map<string, AccountRecord>();
    const postings: PlannedPosting[] = [];
    for (const change of changes) {
      const account = next.get(change.accountId) ?? this.current.get(change.accountId);
      if (!account) throw errors.notFound(`Account ${change.accountId} does not exist.`);
      if (account.status === 'CLOSED') throw errors.conflict(`Account ${account.number} is closed.`, { field: 'accountId' });
      if (account.status === 'FROZEN' && !options.allowFrozen) {
        throw errors.conflict(`Account ${account.number} is frozen.`, { field: 'accountId' });
      }
      if (account.currency !== change.currency) {
        throw errors.badInput(`Account ${account.number} holds ${account.currency}, not ${change.currency}.`, { field: 'currency' });
      }
      const updated = copyAccount(account);
      const delta = change.sign === 1 ? change.amount : -change.amount;
      if (change.pending) {
        if (change.direction === 'DEBIT') updated.debitsPending += delta;
        else updated.creditsPending += delta;
      } else if (change.direction === 'DEBIT') updated.debitsPosted += delta;
      else updated.creditsPosted += delta;
      next.set(account.id, updated);
      if (change.record) {
        postings.push({
          accountId: account.id,
          direction: change.direction,
          amount: change.amount,
          currency: change.currency,
          pending: change.pending,
          balanceAfter: change.pending ? null : updated.creditsPosted - updated.debitsPosted,
        });
      }
    }
    for (const account of next.values()) {
      // Only a change that lowers what is available can breach a limit; releases and credits never do.
      const before = this.current.get(account.id)!;
      const lowers = account.debitsPosted + account.debitsPending > before.debitsPosted + before.debitsPending;
      if (lowers && !withinLimits(account)) {
        throw new DomainError(ErrorCode.INSUFFICIENT_FUNDS, `Account ${account.number} does not have enough available funds.`, {
          field: 'amount',
        });
      }
    }
    for (const account of next.values()) {
      // The counters are PostgreSQL bigints; refusing here keeps one transfer's overflow from failing its whole batch.
      if (COUNTERS.some((c) => account[c] > MAX_MINOR_UNITS)) {
        throw errors.badInput('The amount would take a balance beyond the 64-bit range.', { field: 'amount' });
      }
    }
    for (const account of next.values()) {
      this.current.set(account.id, account);
      this.changed.add(account.id);
    }
    return postings;
  }

  /** Every account of the book, as the accepted transfers leave it. */
  accounts(): IterableIterator<AccountRecord> {
    return this.current.values();
  }

  /** Every account some accepted transfer changed, with its counters as they now stand. */
  changedAccounts(): AccountRecord[] {
    return [...this.changed].map((id) => this.current.get(id)!);
  }
}

// Written out rather than spread: a batch copies an account for each of its thousands of postings.
function copyAccount(a: AccountRecord): AccountRecord {
  return {
    id: a.id,
    number: a.number,
    ownerId: a.ownerId,
    kind: a.kind,
    type: a.type,
    currency: a.currency,
    name: a.name,
    status: a.status,
    overdraftLimit: a.overdraftLimit,
    debitsPosted: a.debitsPosted,
    creditsPosted: a.creditsPosted,
    debitsPending: a.debitsPending,
    creditsPending: a.creditsPending,
    openedAt: a.openedAt,
    closedAt: a.closedAt,
  };
}
