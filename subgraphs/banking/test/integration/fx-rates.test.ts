// Pure arithmetic of rates and conversions; no database.
import { isUuid } from '@meridian/platform';
import { convertAmount, createSimulatedFxRateProvider, formatRate, fxTransferIdFor, parseRate, CURRENCIES, type CurrencyCode } from '../../src';

const codes = Object.keys(CURRENCIES) as CurrencyCode[];
const at = new Date('2025-06-01T12:00:30Z');

describe('simulated FX rate provider', () => {
  const provider = createSimulatedFxRateProvider();

  it('gives the same rate for the same pair and instant, every time', async () => {
    const first = await provider.rate('GBP', 'EUR', at);
    const again = await createSimulatedFxRateProvider().rate('GBP', 'EUR', new Date(at.getTime() + 10_000));
    expect(again).toEqual(first);
    expect(first).toMatchObject({ sellCurrency: 'GBP', buyCurrency: 'EUR', provider: 'simulated' });
    expect(first.rate).toMatch(/^\d+\.\d{12}$/);
    expect(first.asOf).toEqual(new Date('2025-06-01T12:00:00Z'));
  });

  it('stays within the variation of the fixed mids, and moves between buckets', async () => {
    const rates = new Set<string>();
    for (let minute = 0; minute < 30; minute++) {
      const r = await provider.rate('USD', 'EUR', new Date(at.getTime() + minute * 60_000));
      rates.add(r.mid);
      const mid = Number(r.mid);
      expect(mid).toBeGreaterThanOrEqual(0.92 * 0.999 - 1e-12);
      expect(mid).toBeLessThanOrEqual(0.92 * 1.001 + 1e-12);
    }
    expect(rates.size).toBeGreaterThan(1);
  });

  it('quotes every pair below its mid by the spread, so a round trip loses money', async () => {
    for (const sell of codes) {
      for (const buy of codes) {
        if (sell === buy) continue;
        const r = await provider.rate(sell, buy, at);
        // rate = mid × (1 − 0.5%), rounded down: compared in integers.
        expect(parseRate(r.rate) * 10_000n).toBeLessThanOrEqual(parseRate(r.mid) * 9_950n);
        expect(parseRate(r.rate) * 10_000n).toBeGreaterThan(parseRate(r.mid) * 9_949n);
        const back = await provider.rate(buy, sell, at);
        expect(Number(r.rate) * Number(back.rate)).toBeLessThan(1);
      }
    }
  });

  it('crosses through the dollar: GBP→JPY is about 151.5 / 0.79', async () => {
    const r = await createSimulatedFxRateProvider({ spreadBps: 0, variationBps: 0 }).rate('GBP', 'JPY', at);
    expect(r.rate).toBe(r.mid);
    expect(r.mid).toBe('191.772151898734');
  });

  it('refuses a pair of one currency', async () => {
    await expect(provider.rate('EUR', 'EUR', at)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('rate and amount arithmetic', () => {
  it('parses and prints rates with 12 places, exactly', () => {
    expect(parseRate('1.5')).toBe(1_500_000_000_000n);
    expect(formatRate(parseRate('0.000000000001'))).toBe('0.000000000001');
    expect(formatRate(parseRate('191.772151898734'))).toBe('191.772151898734');
    for (const bad of ['0', '-1', '1.0000000000001', 'abc', '1e3', '']) expect(() => parseRate(bad)).toThrow();
  });

  it('converts between exponents and rounds down', () => {
    // 100.00 GBP at 191.772151898734 JPY per GBP = 19177.2151898734 JPY → 19177.
    expect(convertAmount(10_000n, 'GBP', 'JPY', '191.772151898734')).toBe(19_177n);
    // 1,000 JPY at 0.005214521452 GBP per JPY = 5.214521452 GBP → 5.21.
    expect(convertAmount(1_000n, 'JPY', 'GBP', '0.005214521452')).toBe(521n);
    // 0.01 EUR at 0.99 → 0.0099 USD → 0.00: too small to buy anything.
    expect(convertAmount(1n, 'EUR', 'USD', '0.99')).toBe(0n);
  });

  it('stays exact where floating point would not', () => {
    // A float computes 0.29 * 100 as 28.999999999999996.
    expect(convertAmount(100n, 'USD', 'EUR', '0.29')).toBe(29n);
    // Amounts near the 64-bit limit keep every digit.
    // 123456789012345678 × 333333333333 // 10^12 = 41152263004074073, in integers.
    expect(convertAmount(123_456_789_012_345_678n, 'USD', 'EUR', '0.333333333333')).toBe(41_152_263_004_074_073n);
    expect(convertAmount(9_000_000_000_000_000_000n, 'JPY', 'USD', '0.006600660066')).toBe(5_940_594_059_400_000_000n);
  });

  it('derives one well-formed transfer id per quote', () => {
    const a = fxTransferIdFor('0190f5c2-8a6b-7c3d-9e4f-0123456789ab');
    expect(isUuid(a)).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fxTransferIdFor('0190F5C2-8A6B-7C3D-9E4F-0123456789AB')).toBe(a);
    expect(fxTransferIdFor('0190f5c2-8a6b-7c3d-9e4f-0123456789ac')).not.toBe(a);
  });
});
