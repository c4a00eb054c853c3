import { createHash } from 'node:crypto';
import { errors } from '@meridian/platform';
import { CURRENCIES, type CurrencyCode } from './currency';

/** Ledger code of a currency conversion: the only code whose postings may span currencies. */
export const FX_CONVERSION_CODE = 'FX_CONVERSION';

/** Prefix of `causedBy` on a conversion; the quote id follows. */
export const FX_QUOTE_CAUSE_PREFIX = 'fx-quote:';

/** Decimal places of an exchange rate; matches `fx_quotes.rate numeric(24, 12)`. */
export const RATE_DECIMALS = 12;
const RATE_SCALE = 10n ** BigInt(RATE_DECIMALS);
const BPS = 10_000n;

/** A price for selling one currency for another, as a provider gives it. */
export interface FxRate {
  sellCurrency: CurrencyCode;
  buyCurrency: CurrencyCode;
  /** Mid-market units of the buy currency per unit of the sell currency (decimal string, 12 places). */
  mid: string;
  /** The customer's rate: the mid less the spread, never more favourable than the mid. */
  rate: string;
  provider: string;
  asOf: Date;
}

/** Where exchange rates come from: a market data feed in production, {@link createSimulatedFxRateProvider} here. */
export interface FxRateProvider {
  readonly name: string;
  /** The rate to sell `sell` for `buy` at `at`. Errors: BAD_USER_INPUT (same currency). */
  rate(sell: CurrencyCode, buy: CurrencyCode, at: Date): Promise<FxRate>;
}

/** Options for {@link createSimulatedFxRateProvider}. */
export interface SimulatedFxRateProviderOptions {
  /** The bank's margin under the mid, in basis points. Default 50 (0.5%). */
  spreadBps?: number;
  /** Largest move of a currency against the dollar, either way, in basis points. Default 10. */
  variationBps?: number;
  /** Rates hold still for this long, in ms. Default 60 s. */
  bucketMs?: number;
}

/** Mid-market units of each currency one US dollar buys. */
const MID_PER_USD: Record<CurrencyCode, string> = {
  USD: '1',
  EUR: '0.92',
  GBP: '0.79',
  INR: '83.2',
  JPY: '151.5',
};

/**
 * A deterministic stand-in for a rates feed: fixed mids against the dollar that
 * move by a few basis points per time bucket (a hash of currency and bucket, so
 * the same instant always gives the same rate), crossed through the dollar, less a spread.
 */
export function createSimulatedFxRateProvider(options: SimulatedFxRateProviderOptions = {}): FxRateProvider {
  const spread = BigInt(options.spreadBps ?? 50);
  const variation = options.variationBps ?? 10;
  const bucketMs = options.bucketMs ?? 60_000;
  if (spread < 0n || spread >= BPS) throw new RangeError('spreadBps must be from 0 to 9,999.');

  const perUsd = (currency: CurrencyCode, bucket: number): bigint => {
    const base = parseRate(MID_PER_USD[currency]);
    if (currency === 'USD' || variation === 0) return base;
    const hash = createHash('sha256').update(`${currency}:${bucket}`).digest();
    const bps = BigInt((hash.readUInt32BE(0) % (2 * variation + 1)) - variation);
    return (base * (BPS + bps)) / BPS;
  };

  return {
    name: 'simulated',
    async rate(sell, buy, at) {
      if (sell === buy) throw errors.badInput('Sell and buy currencies must differ.', { field: 'buyCurrency' });
      const bucket = Math.floor(at.getTime() / bucketMs);
      const mid = (perUsd(buy, bucket) * RATE_SCALE) / perUsd(sell, bucket);
      const rate = (mid * (BPS - spread)) / BPS;
      return { sellCurrency: sell, buyCurrency: buy, mid: formatRate(mid), rate: formatRate(rate), provider: 'simulated', asOf: new Date(bucket * bucketMs) };
    },
  };
}

/** A positive decimal rate ("1.1576") as an integer scaled by 10^12. Errors: BAD_USER_INPUT. */
export function parseRate(text: string): bigint {
  const match = /^(\d{1,12})(?:\.(\d{1,12}))?$/.exec(text.trim());
  if (!match) throw errors.badInput('A rate is a positive decimal with at most 12 places.', { field: 'rate' });
  const scaled = BigInt(match[1] + (match[2] ?? '').padEnd(RATE_DECIMALS, '0'));
  if (scaled <= 0n) throw errors.badInput('A rate must be greater than zero.', { field: 'rate' });
  return scaled;
}

/** A scaled rate as a decimal string with 12 places, as PostgreSQL prints `numeric(24, 12)`. */
export function formatRate(scaled: bigint): string {
  const digits = scaled.toString().padStart(RATE_DECIMALS + 1, '0');
  return `${digits.slice(0, -RATE_DECIMALS)}.${digits.slice(-RATE_DECIMALS)}`;
}

/**
 * What `sellAmount` minor units of `sell` buy at `rate`, in minor units of `buy`,
 * rounded down: whole integer arithmetic, so no float ever touches the money.
 */
export function convertAmount(sellAmount: bigint, sell: CurrencyCode, buy: CurrencyCode, rate: string): bigint {
  const sellUnit = 10n ** BigInt(CURRENCIES[sell].exponent);
  const buyUnit = 10n ** BigInt(CURRENCIES[buy].exponent);
  return (sellAmount * parseRate(rate) * buyUnit) / (sellUnit * RATE_SCALE);
}

/**
 * The transfer id a quote converts under: a UUID derived from the quote id, so a
 * quote can only ever produce one transfer and a retry finds the first one.
 */
export function fxTransferIdFor(quoteId: string): string {
  const hex = createHash('sha256').update(`meridian:fx-conversion:${quoteId.toLowerCase()}`).digest('hex');
  // Version 8 (custom) and the RFC 9562 variant, so it is a well-formed UUID.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
