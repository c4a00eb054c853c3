import { errors } from '@meridian/platform';
import { fxQuoteIdOf, type TransferInput } from '../domain/transfer';
import type { AccountBook } from './account-book';
import type { LockedQuote } from './locks';

/**
 * Checks a cross-currency transfer against its FX quote: the quote exists and is
 * unused, the customer side sells exactly the quoted amount and buys exactly the
 * quoted amount, and the other side of each currency is that currency's FX system
 * account. Expiry is the FX service's check, on its own clock. Returns the quote,
 * which the caller marks used once the transfer is accepted.
 * Errors: BAD_USER_INPUT, CONFLICT (`QUOTE_USED`: the quote row is already claimed).
 * No caller is answered QUOTE_USED: a conversion's id is derived from its quote and
 * the quote is claimed in the transaction that stores it, so this refusal is met only
 * when the batch's lock statement missed that transfer, and the lookup after a
 * refusal (batch.ts) answers the stored conversion or IDEMPOTENCY_KEY_REUSED instead.
 */
export function checkFxQuote(input: TransferInput, quotes: Map<string, LockedQuote>, book: AccountBook): LockedQuote {
  const quoteId = fxQuoteIdOf(input)!;
  const quote = quotes.get(quoteId);
  if (!quote) throw errors.badInput(`FX quote ${quoteId} does not exist.`, { field: 'causedBy' });
  if (quote.usedByTransfer !== null) throw errors.conflict('This FX quote was already converted.', { field: 'causedBy', reason: 'QUOTE_USED' });
  const expected = new Map([
    [quote.sellCurrency, { customer: 'DEBIT', amount: quote.sellAmount }],
    [quote.buyCurrency, { customer: 'CREDIT', amount: quote.buyAmount }],
  ]);
  const mismatch = () => errors.badInput(`The postings do not match FX quote ${quoteId}.`, { field: 'postings' });
  for (const posting of input.postings) {
    const want = expected.get(posting.currency);
    const account = book.get(posting.accountId);
    if (!want || !account) throw mismatch();
    const isFx = account.kind === 'SYSTEM' && account.type === 'FX';
    const matches = isFx ? posting.direction !== want.customer : account.kind === 'CUSTOMER' && posting.direction === want.customer;
    if (!matches || posting.amount !== want.amount) throw mismatch();
  }
  if (input.postings.length !== 4) throw mismatch();
  return quote;
}
