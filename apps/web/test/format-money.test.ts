import { currencyExponent, formatMoney, parseAmountInput, toMinorUnits } from '../src/money/format-money';

describe('formatMoney', () => {
  it.each([
    ['1234.50', 'GBP', 'en-GB', '£1,234.50'],
    ['-0.50', 'GBP', 'en-GB', '-£0.50'],
    ['0.00', 'GBP', 'en-GB', '£0.00'],
    ['-1234567.89', 'USD', 'en-US', '-$1,234,567.89'],
    ['1500', 'JPY', 'ja-JP', '￥1,500'],
    ['1234567.56', 'INR', 'en-IN', '₹12,34,567.56'],
  ])('%s %s in %s is %s', (amount, currency, locale, expected) => {
    expect(formatMoney(amount, currency, locale)).toBe(expected);
  });

  it.each([
    ['1234.5', 'EUR', 'de-DE'],
    ['-12.30', 'EUR', 'fr-FR'],
    ['12.30', 'EUR', 'ar-EG'],
    ['-98765.43', 'CHF', 'de-CH'],
    ['1000000', 'JPY', 'en-US'],
    ['-0.01', 'USD', 'es-MX'],
  ])('writes %s %s in %s exactly as Intl does (its signs, separators and digits)', (amount, currency, locale) => {
    // Small enough for a float to hold exactly, so Intl's own formatting of the number is the reference.
    expect(formatMoney(amount, currency, locale)).toBe(new Intl.NumberFormat(locale, { style: 'currency', currency }).format(Number(amount)));
  });

  it('shows a negative zero as zero', () => {
    expect(formatMoney('-0.00', 'GBP', 'en-GB')).toBe('£0.00');
  });

  it('keeps every digit of amounts no float can hold', () => {
    // 2^63 - 1 minor units, the ledger's largest: as a number it would round to ...775,808.00.
    expect(formatMoney('92233720368547758.07', 'GBP', 'en-GB')).toBe('£92,233,720,368,547,758.07');
    expect(formatMoney('-90071992547409.93', 'USD', 'en-US')).toBe('-$90,071,992,547,409.93');
    // More decimals than the currency has are shown, never rounded away.
    expect(formatMoney('0.125', 'GBP', 'en-GB')).toBe('£0.125');
  });

  it('refuses anything that is not a decimal string', () => {
    for (const bad of ['', '1e3', '12,50', '1.2.3', 'NaN', '- 1', '+1']) expect(() => formatMoney(bad, 'GBP')).toThrow(RangeError);
  });
});

describe('parseAmountInput', () => {
  it.each([
    ['25', 'GBP', '25.00'],
    ['25.5', 'GBP', '25.50'],
    [' 1,250.00 ', 'GBP', '1250.00'],
    ['007.10', 'GBP', '7.10'],
    ['0.01', 'EUR', '0.01'],
    ['12.50', 'GBP', '12.50'],
    ['1500', 'JPY', '1500'],
    ['1500.0', 'JPY', '1500'],
  ])('reads %j in %s as %s', (input, currency, amount) => {
    expect(parseAmountInput(input, currency)).toEqual({ amount });
  });

  it.each([
    ['', 'GBP', 'EMPTY'],
    ['   ', 'GBP', 'EMPTY'],
    ['abc', 'GBP', 'NOT_A_NUMBER'],
    ['-5', 'GBP', 'NOT_A_NUMBER'],
    ['1e3', 'GBP', 'NOT_A_NUMBER'],
    ['0', 'GBP', 'NOT_POSITIVE'],
    ['0.00', 'GBP', 'NOT_POSITIVE'],
    ['0.001', 'GBP', 'TOO_MANY_DECIMALS'],
    ['12.5', 'JPY', 'TOO_MANY_DECIMALS'],
    ['92233720368547758.08', 'GBP', 'TOO_LARGE'],
  ])('refuses %j in %s: %s', (input, currency, problem) => {
    expect(parseAmountInput(input, currency)).toEqual({ problem });
  });
});

describe('toMinorUnits and currencyExponent', () => {
  it('converts exactly, by the currency’s exponent', () => {
    expect(currencyExponent('GBP')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(toMinorUnits('-12.30', 'GBP')).toBe(-1230n);
    expect(toMinorUnits('0.00', 'EUR')).toBe(0n);
    expect(toMinorUnits('1500', 'JPY')).toBe(1500n);
    expect(toMinorUnits('92233720368547758.07', 'GBP')).toBe(2n ** 63n - 1n);
    expect(() => toMinorUnits('1.001', 'GBP')).toThrow(RangeError);
  });
});
