import type { CurrencyCode } from '@meridian/client/web';
import { currencyExponent, formatMoney, toMinorUnits } from '../money/format-money';

/** An amount as the insights queries return it. */
export interface MoneyValue {
  amount: string;
  currency: CurrencyCode;
}

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const monthName = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A share in basis points (10000 = all of it) as a percentage: "32.5%". */
export function formatShare(basisPoints: number): string {
  return percent.format(basisPoints / 10_000);
}

/** A local date `YYYY-MM-DD` as the reader writes dates ("7 Dec 2026"). */
export function formatDay(value: string): string {
  return day.format(new Date(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10))));
}

/** A month `YYYY-MM` ("Dec 2026"). */
export function formatMonth(value: string): string {
  return monthName.format(new Date(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, 1));
}

/** An instant (ISO 8601) with its time. */
export function formatInstant(value: string): string {
  return dateTime.format(new Date(value));
}

/** Minor units written as the API writes amounts: `-1230n` in GBP is `"-12.30"`. */
export function minorToDecimal(minor: bigint, currency: CurrencyCode): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = exponent ? digits.slice(0, -exponent) : digits;
  return `${negative ? '-' : ''}${whole}${exponent ? `.${digits.slice(-exponent)}` : ''}`;
}

/**
 * An amount as a chart plots it: its minor units as a number (exact up to
 * 2^53, far beyond any balance). Only the bars' geometry uses it; every
 * amount shown as text comes from the API's decimal string or from
 * {@link formatChartAmount}, which turns the whole number back without rounding.
 */
export function chartAmount(money: MoneyValue): number {
  return Number(toMinorUnits(money.amount, money.currency));
}

/** A chart value (minor units, e.g. an axis tick) formatted in `currency`. */
export function formatChartAmount(minor: number, currency: CurrencyCode): string {
  return formatMoney(minorToDecimal(BigInt(Math.round(minor)), currency), currency);
}

/** How much of `whole` `part` is, in whole percent from 0 to 100 (exact, on minor units). */
export function progressPercent(part: MoneyValue, whole: MoneyValue): number {
  const total = toMinorUnits(whole.amount, whole.currency);
  if (total <= 0n) return 0;
  const done = toMinorUnits(part.amount, part.currency);
  if (done <= 0n) return 0;
  const share = (done * 100n) / total;
  return share > 100n ? 100 : Number(share);
}

/** `"-12.30"` → `"12.30"`: the size of an amount, for "over by …". */
export function absoluteAmount(money: MoneyValue): MoneyValue {
  return { ...money, amount: money.amount.replace(/^-/, '') };
}

/** True when the amount is below zero. */
export function isNegative(money: MoneyValue): boolean {
  return toMinorUnits(money.amount, money.currency) < 0n;
}
