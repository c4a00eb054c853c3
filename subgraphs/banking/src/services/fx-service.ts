import { DomainError, ErrorCode, errors, isUuid, uuidv7 } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { AccountRecord } from '../domain/account';
import { currencyCode, type CurrencyCode } from '../domain/currency';
import { convertAmount, FX_CONVERSION_CODE, FX_QUOTE_CAUSE_PREFIX, fxTransferIdFor, type FxRateProvider } from '../domain/fx';
import { formatDecimal, MAX_MINOR_UNITS } from '../domain/money';
import type { TransferRecord } from '../domain/transfer';
import type { AccountService } from './account-service';
import type { LedgerService } from '../ledger';


/** A stored offer to exchange an amount at a fixed rate until it expires. */
export interface FxQuote {
  id: string;
  ownerId: string;
  sellCurrency: CurrencyCode;
  buyCurrency: CurrencyCode;
  /** Minor units of the sell currency. */
  sellAmount: bigint;
  /** Minor units of the buy currency, rounded down. */
  buyAmount: bigint;
  /** Buy units per sell unit, a decimal string with 12 places. */
  rate: string;
  provider: string;
  expiresAt: Date;
  createdAt: Date;
  /** The conversion's transfer once the quote has been used. */
  usedByTransfer: string | null;
}

/** What `quote` needs. */
export interface FxQuoteRequest {
  /** Optional client-chosen UUID making the request idempotent; default a new UUIDv7. */
  id?: string;
  ownerId: string;
  sellCurrency: string;
  buyCurrency: string;
  /** Minor units of the sell currency. */
  sellAmount: bigint;
}

/** What `convert` needs. */
export interface FxConvertRequest {
  quoteId: string;
  ownerId: string;
  /** The owner's account in the quote's sell currency. */
  fromAccountId: string;
  /** The owner's account in the quote's buy currency. */
  toAccountId: string;
}

/** A conversion: the quote, now used, and its transfer. */
export interface FxConversion {
  quote: FxQuote;
  transfer: TransferRecord;
}

/** Options for {@link FxService}. */
export interface FxServiceOptions {
  provider: FxRateProvider;
  /** How long a quote can be converted, in seconds. Default 30. */
  quoteTtlSeconds?: number;
  /** Clock for quote times and expiry; default the system clock. */
  now?: () => Date;
}

const QUOTE_COLUMNS = `id, owner_id, sell_currency, buy_currency, sell_amount, buy_amount, rate::text AS rate, provider, expires_at, created_at, used_by_transfer`;

/**
 * Currency exchange: the only way money crosses currencies. A quote fixes the
 * rate for a short time; converting it is one ledger transfer with four
 * postings that balance in each currency through the FX system accounts.
 */
export class FxService {
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly accounts: AccountService,
    private readonly options: FxServiceOptions,
  ) {
    this.ttlMs = (options.quoteTtlSeconds ?? 30) * 1_000;
    this.now = options.now ?? (() => new Date());
  }

  /** The same service on another clock: for tests and for seeding history at past times. */
  withClock(now: () => Date): FxService {
    return new FxService(this.db, this.ledger, this.accounts, { ...this.options, now });
  }

  /**
   * Prices selling `sellAmount` and stores the quote. Replaying a request with the
   * same id returns the stored quote. Errors: BAD_USER_INPUT (currencies unknown or
   * equal, amount not positive or beyond 64 bits, too small to buy a minor unit),
   * IDEMPOTENCY_KEY_REUSED (the id was used for another request).
   */
  async quote(request: FxQuoteRequest): Promise<FxQuote> {
    const id = request.id ?? uuidv7();
    if (!isUuid(id)) throw errors.badInput('id must be a UUID.', { field: 'id' });
    if (!isUuid(request.ownerId)) throw errors.badInput('ownerId must be a UUID.', { field: 'ownerId' });
    const sell = currencyCode(request.sellCurrency);
    const buy = currencyCode(request.buyCurrency);
    if (sell === buy) throw errors.badInput('Sell and buy currencies must differ.', { field: 'buyCurrency' });
    const { sellAmount } = request;
    if (typeof sellAmount !== 'bigint' || sellAmount <= 0n) throw errors.badInput('sellAmount must be greater than zero.', { field: 'sellAmount' });
    if (sellAmount > MAX_MINOR_UNITS) throw errors.badInput('sellAmount is beyond the 64-bit range.', { field: 'sellAmount' });

    const at = this.now();
    const price = await this.options.provider.rate(sell, buy, at);
    const buyAmount = convertAmount(sellAmount, sell, buy, price.rate);
    if (buyAmount <= 0n) throw errors.badInput(`${formatDecimal(sellAmount, sell)} ${sell} is too little to buy any ${buy}.`, { field: 'sellAmount' });
    if (buyAmount > MAX_MINOR_UNITS) throw errors.badInput('The converted amount is beyond the 64-bit range.', { field: 'sellAmount' });

    const [row]: Record<string, unknown>[] = await this.db.query(
      `INSERT INTO banking.fx_quotes (id, owner_id, sell_currency, buy_currency, sell_amount, buy_amount, rate, provider, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING ${QUOTE_COLUMNS}`,
      [id, request.ownerId, sell, buy, sellAmount.toString(), buyAmount.toString(), price.rate, price.provider, new Date(at.getTime() + this.ttlMs).toISOString(), at.toISOString()],
    );
    if (row) return toQuote(row);
    const existing = await this.findQuote(id);
    if (!existing || existing.ownerId !== request.ownerId || existing.sellCurrency !== sell || existing.buyCurrency !== buy || existing.sellAmount !== sellAmount) {
      throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Quote id ${id} was already used for a different request.`, { field: 'id' });
    }
    return existing;
  }

  /** The owner's quote, or null (someone else's quote is null too). */
  async getQuote(id: string, ownerId: string): Promise<FxQuote | null> {
    const quote = isUuid(id) ? await this.findQuote(id) : null;
    return quote && quote.ownerId === ownerId ? quote : null;
  }

  /**
   * Converts a quote between two of the owner's accounts: debits the sell amount,
   * credits the buy amount, both through the FX accounts. The quote id is the
   * conversion's idempotency key: the transfer id is derived from it, so a quote
   * converts at most once, and once converted it answers like any stored transfer
   * id: the same request (the same accounts), even after expiry, returns the first
   * conversion; other accounts are IDEMPOTENCY_KEY_REUSED. A refusal stores nothing,
   * so the quote may still convert before it expires. Errors: NOT_FOUND (quote or
   * account missing or not the owner's), BAD_USER_INPUT (ids, same account, account
   * currency differs from the quote's), CONFLICT (quote expired, account closed or
   * frozen), INSUFFICIENT_FUNDS (nothing is written), IDEMPOTENCY_KEY_REUSED (the
   * quote was converted between other accounts).
   */
  async convert(request: FxConvertRequest): Promise<FxConversion> {
    for (const field of ['quoteId', 'fromAccountId', 'toAccountId'] as const) {
      if (!isUuid(request[field])) throw errors.badInput(`${field} must be a UUID.`, { field });
    }
    if (request.fromAccountId === request.toAccountId) {
      throw errors.badInput('fromAccountId and toAccountId must be different accounts.', { field: 'toAccountId' });
    }
    const quote = await this.getQuote(request.quoteId, request.ownerId);
    if (!quote) throw new DomainError(ErrorCode.NOT_FOUND, 'Quote not found.', { field: 'quoteId' });
    const [fromRecord, toRecord] = await this.accounts.findByIds([request.fromAccountId, request.toAccountId]);
    const from = owned(fromRecord, request.ownerId, 'fromAccountId');
    const to = owned(toRecord, request.ownerId, 'toAccountId');
    if (from.currency !== quote.sellCurrency) {
      throw errors.badInput(`The quote sells ${quote.sellCurrency}; account ${from.number} holds ${from.currency}.`, { field: 'fromAccountId' });
    }
    if (to.currency !== quote.buyCurrency) {
      throw errors.badInput(`The quote buys ${quote.buyCurrency}; account ${to.number} holds ${to.currency}.`, { field: 'toAccountId' });
    }

    const transferId = fxTransferIdFor(quote.id);
    if (quote.usedByTransfer === null && this.now().getTime() >= quote.expiresAt.getTime()) {
      // A conversion that committed just before its quote was marked still counts.
      if (!(await this.ledger.getTransfer(transferId))) {
        throw errors.conflict('The quote has expired; ask for a new one.', { field: 'quoteId', reason: 'QUOTE_EXPIRED' });
      }
    }
    const [fxSell, fxBuy] = await Promise.all([this.accounts.systemAccount('FX', quote.sellCurrency), this.accounts.systemAccount('FX', quote.buyCurrency)]);
    let transfer: TransferRecord;
    try {
      transfer = await this.ledger.createTransfer({
        id: transferId,
        code: FX_CONVERSION_CODE,
        description: `Exchange ${formatDecimal(quote.sellAmount, quote.sellCurrency)} ${quote.sellCurrency} to ${formatDecimal(quote.buyAmount, quote.buyCurrency)} ${quote.buyCurrency}`,
        metadata: { quoteId: quote.id, rate: quote.rate, provider: quote.provider, quotedAt: quote.createdAt.toISOString() },
        causedBy: `${FX_QUOTE_CAUSE_PREFIX}${quote.id}`,
        postings: [
          { accountId: from.id, direction: 'DEBIT', amount: quote.sellAmount, currency: quote.sellCurrency },
          { accountId: fxSell.id, direction: 'CREDIT', amount: quote.sellAmount, currency: quote.sellCurrency },
          { accountId: fxBuy.id, direction: 'DEBIT', amount: quote.buyAmount, currency: quote.buyCurrency },
          { accountId: to.id, direction: 'CREDIT', amount: quote.buyAmount, currency: quote.buyCurrency },
        ],
      });
    } catch (err) {
      // The ledger names its own key (the derived transfer id); the caller's key is the quote id.
      if (err instanceof DomainError && err.code === ErrorCode.IDEMPOTENCY_KEY_REUSED) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Quote ${quote.id} was already converted between other accounts.`, { field: 'quoteId' });
      }
      throw err;
    }
    // The ledger marked the quote used in the transfer's own transaction.
    return { quote: { ...quote, usedByTransfer: transfer.id }, transfer };
  }

  private async findQuote(id: string): Promise<FxQuote | null> {
    const [row]: Record<string, unknown>[] = await this.db.query(`SELECT ${QUOTE_COLUMNS} FROM banking.fx_quotes WHERE id = $1`, [id]);
    return row ? toQuote(row) : null;
  }
}

/** The account when it is the owner's customer account; NOT_FOUND otherwise, never saying whose it is. */
function owned(account: AccountRecord | null, ownerId: string, field: string): AccountRecord {
  if (!account || account.kind !== 'CUSTOMER' || account.ownerId !== ownerId) {
    throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found.', { field });
  }
  return account;
}

function toQuote(row: Record<string, unknown>): FxQuote {
  return {
    id: row.id as string,
    ownerId: row.owner_id as string,
    sellCurrency: row.sell_currency as CurrencyCode,
    buyCurrency: row.buy_currency as CurrencyCode,
    sellAmount: BigInt(row.sell_amount as string),
    buyAmount: BigInt(row.buy_amount as string),
    rate: row.rate as string,
    provider: row.provider as string,
    expiresAt: new Date(row.expires_at as string),
    createdAt: new Date(row.created_at as string),
    usedByTransfer: (row.used_by_transfer as string | null) ?? null,
  };
}
