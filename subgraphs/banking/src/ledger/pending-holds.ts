import { errors } from '@meridian/platform';
import type { PostingRecord } from '../domain/transfer';
import type { CounterChange } from './account-book';
import type { LockedPending } from './locks';

// Holds: what a pending transfer reserved, and what posting or voiding it changes.

/** Refuses a transfer that cannot be posted or voided now. Errors: CONFLICT. */
export function assertResolvable(pending: LockedPending): void {
  if (pending.phase !== 'PENDING') throw errors.conflict(`Transfer ${pending.id} is not a pending transfer.`);
  if (pending.status !== 'PENDING') throw errors.conflict(`Transfer ${pending.id} is already ${pending.status.toLowerCase()}.`);
  if (pending.timedOut) throw errors.conflict(`Transfer ${pending.id} has expired.`);
}

/** The postings a post moves: all of the hold, or `amount` of a two-posting one. Errors: BAD_USER_INPUT. */
export function postedChanges(holds: PostingRecord[], amount: bigint | undefined): CounterChange[] {
  const full = holds.find((h) => h.direction === 'DEBIT')!.amount;
  const posted = amount ?? full;
  if (posted !== full) {
    if (holds.length !== 2) throw errors.badInput('Only a two-posting transfer can be posted in part.', { field: 'amount' });
    if (posted > full) throw errors.badInput(`At most ${full} minor units can be posted.`, { field: 'amount' });
  }
  return holds.map((h) => ({ ...h, amount: holds.length === 2 ? posted : h.amount, pending: false, sign: 1, record: true }));
}

/** The change that undoes a hold. */
export function releaseHold(hold: PostingRecord): CounterChange {
  return { accountId: hold.accountId, direction: hold.direction, amount: hold.amount, currency: hold.currency, pending: true, sign: -1, record: false };
}
