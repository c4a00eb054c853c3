import type { EntityManager } from 'typeorm';
import type { LedgerVerificationReport } from './verifier';
import { big, CursorReader, MismatchFound, type Row } from './verify-support';

// The verifier's second walk: every account's counters and running balances from its postings.

/**
 * Merges the accounts with their postings, by descending account id and then
 * ascending posting id (a backward scan of postings_account_idx, so nothing is
 * sorted), rebuilding each account's counters and running balance.
 */
export async function verifyAccounts(m: EntityManager, report: LedgerVerificationReport, batchSize: number): Promise<void> {
  await m.query(`DECLARE verify_accounts NO SCROLL CURSOR FOR
    SELECT id, number, kind, currency, overdraft_limit, debits_posted, credits_posted, debits_pending, credits_pending
    FROM banking.accounts ORDER BY id DESC`);
  // A pending posting still holds funds only while its transfer is PENDING; the subquery runs for those rows alone.
  await m.query(`DECLARE verify_postings NO SCROLL CURSOR FOR
    SELECT p.id, p.account_id, p.transfer_id, p.direction, p.amount, p.currency, p.pending, p.balance_after,
      CASE WHEN p.pending THEN (SELECT t.status FROM banking.transfers t WHERE t.id = p.transfer_id) END AS transfer_status
    FROM banking.postings p ORDER BY p.account_id DESC, p.id`);
  const accounts = new CursorReader(m, 'verify_accounts', batchSize);
  const postings = new CursorReader(m, 'verify_postings', batchSize);
  const posted = new Map<string, bigint>();
  const pending = new Map<string, bigint>();
  for (let account = await accounts.next(); account; account = await accounts.next()) {
    const id = account.id as string;
    await orphanBefore(postings, id);
    const counters: Counters = { debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n };
    for (let p = await postings.peek(); p && p.account_id === id; p = await postings.peek()) {
      await postings.next();
      checkPosting(account, p, counters);
    }
    for (const field of ['debits_posted', 'credits_posted', 'debits_pending', 'credits_pending'] as const) {
      const stored = big(account[field]);
      if (stored !== counters[field]) {
        throw new MismatchFound({
          kind: 'COUNTER',
          accountId: id,
          currency: account.currency as string,
          field,
          expected: counters[field].toString(),
          found: stored.toString(),
          message: `Account ${String(account.number)} stores ${field} ${stored}; its postings give ${counters[field]}.`,
        });
      }
    }
    const balance = counters.credits_posted - counters.debits_posted;
    const available = balance - counters.debits_pending + big(account.overdraft_limit);
    if (account.kind === 'CUSTOMER' && available < 0n) {
      throw new MismatchFound({
        kind: 'LIMIT',
        accountId: id,
        currency: account.currency as string,
        field: 'available',
        expected: '>= 0',
        found: available.toString(),
        message: `Customer account ${String(account.number)} is ${-available} minor units below its overdraft limit.`,
      });
    }
    const currency = account.currency as string;
    posted.set(currency, (posted.get(currency) ?? 0n) + balance);
    pending.set(currency, (pending.get(currency) ?? 0n) + counters.credits_pending - counters.debits_pending);
    report.accounts += 1;
  }
  await orphanBefore(postings, '');
  await m.query(`CLOSE verify_accounts`);
  await m.query(`CLOSE verify_postings`);
  report.totals = Object.fromEntries([...posted].sort(([a], [b]) => a.localeCompare(b)));
  for (const [label, totals] of [['posted', posted], ['pending', pending]] as const) {
    for (const [currency, total] of totals) {
      if (total !== 0n) {
        throw new MismatchFound({
          kind: 'CURRENCY_TOTAL',
          currency,
          field: label,
          expected: '0',
          found: total.toString(),
          message: `The ${label} balances of all ${currency} accounts sum to ${total}, not 0.`,
        });
      }
    }
  }
}

type Counters = { debits_posted: bigint; credits_posted: bigint; debits_pending: bigint; credits_pending: bigint };

/** Adds one posting (oldest first) to its account's recomputed counters, checking its currency and balance_after. */
function checkPosting(account: Row, p: Row, counters: Counters): void {
  const at = { transferId: p.transfer_id as string, accountId: account.id as string, postingId: String(p.id) };
  if (p.currency !== account.currency) {
    throw new MismatchFound({
      ...at,
      kind: 'POSTING',
      field: 'currency',
      expected: account.currency as string,
      found: p.currency as string,
      message: `Posting ${at.postingId} is in ${String(p.currency)} on account ${String(account.number)}, which holds ${String(account.currency)}.`,
    });
  }
  const amount = big(p.amount);
  const debit = p.direction === 'DEBIT';
  if (p.pending) {
    // A hold counts only while its transfer is still PENDING; posting, voiding or expiring it released it.
    if (p.transfer_status === 'PENDING') {
      if (debit) counters.debits_pending += amount;
      else counters.credits_pending += amount;
    }
    return;
  }
  if (debit) counters.debits_posted += amount;
  else counters.credits_posted += amount;
  const running = counters.credits_posted - counters.debits_posted;
  const stored = p.balance_after === null ? null : big(p.balance_after);
  if (stored !== running) {
    throw new MismatchFound({
      ...at,
      kind: 'BALANCE_AFTER',
      field: 'balance_after',
      expected: running.toString(),
      found: String(stored),
      message: `Posting ${at.postingId} on account ${String(account.number)} records balance_after ${String(stored)}; the postings before it give ${running}.`,
    });
  }
}

/** Throws for a posting whose account sorts before `accountId` in the merge: it belongs to no account. */
async function orphanBefore(postings: CursorReader, accountId: string): Promise<void> {
  const p = await postings.peek();
  if (p && (p.account_id as string) > accountId) {
    throw new MismatchFound({
      kind: 'POSTING',
      transferId: p.transfer_id as string,
      accountId: p.account_id as string,
      postingId: String(p.id),
      field: 'account_id',
      expected: 'an existing account',
      found: p.account_id as string,
      message: `Posting ${String(p.id)} belongs to account ${String(p.account_id)}, which does not exist.`,
    });
  }
}
