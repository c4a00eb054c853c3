import { evaluateFraudRules, type FraudSignals } from '../../src/domain/fraud-rules';

const now = new Date('2026-06-15T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const minutes = (n: number) => n * 60_000;
const hours = (n: number) => n * 3_600_000;
const times = (n: number, spacingMs: number) => Array.from({ length: n }, (_, i) => ago((i + 1) * spacingMs));

/** A quiet customer paying an old payee £20.00, as they usually do. */
const signals = (extra: Partial<FraudSignals> = {}): FraudSignals => ({
  now,
  amount: 2_000n,
  currency: 'GBP',
  recentPaymentTimes: [],
  payeeCreationTimes: [],
  recentSuccessfulAmounts: [2_000n, 1_500n, 2_500n],
  payee: { createdAt: ago(hours(24 * 30)), earlierPayments: 4 },
  ...extra,
});

describe('fraud rules', () => {
  it('lets an ordinary payment through', () => {
    expect(evaluateFraudRules(signals())).toEqual([]);
    expect(evaluateFraudRules(signals({ payee: null, recentSuccessfulAmounts: [] }))).toEqual([]);
  });

  describe('VELOCITY', () => {
    it('allows ten payments an hour and holds the eleventh', () => {
      expect(evaluateFraudRules(signals({ recentPaymentTimes: times(9, minutes(5)) }))).toEqual([]);
      expect(evaluateFraudRules(signals({ recentPaymentTimes: times(10, minutes(5)) }))).toEqual(['VELOCITY']);
    });

    it('counts only payments inside the window', () => {
      const old = times(20, minutes(1)).map((t) => new Date(t.getTime() - hours(1)));
      expect(evaluateFraudRules(signals({ recentPaymentTimes: [...old, ...times(5, minutes(1))] }))).toEqual([]);
      // Exactly an hour ago is outside.
      expect(evaluateFraudRules(signals({ recentPaymentTimes: [...times(9, minutes(1)), ago(hours(1))] }))).toEqual([]);
    });

    it('takes its limit and window from the options', () => {
      const recentPaymentTimes = times(3, minutes(15));
      expect(evaluateFraudRules(signals({ recentPaymentTimes }), { velocityMaxPayments: 3 })).toEqual(['VELOCITY']);
      expect(evaluateFraudRules(signals({ recentPaymentTimes }), { velocityMaxPayments: 3, velocityWindowMs: minutes(30) })).toEqual([]);
    });
  });

  describe('NEW_PAYEE_VELOCITY', () => {
    it('holds payments once more than three payees were created in 24 hours', () => {
      expect(evaluateFraudRules(signals({ payeeCreationTimes: times(3, hours(2)) }))).toEqual([]);
      expect(evaluateFraudRules(signals({ payeeCreationTimes: times(4, hours(2)) }))).toEqual(['NEW_PAYEE_VELOCITY']);
      expect(evaluateFraudRules(signals({ payeeCreationTimes: times(4, hours(7)) }))).toEqual([]);
      expect(evaluateFraudRules(signals({ payeeCreationTimes: times(2, hours(2)) }), { newPayeeMaxPerDay: 1 })).toEqual(['NEW_PAYEE_VELOCITY']);
    });
  });

  describe('UNUSUAL_AMOUNT', () => {
    const usual = [4_000n, 6_000n, 5_000n, 5_000n]; // median £50.00: five times is £250.00

    it('holds an amount above five times the median when that is above the floor', () => {
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: usual, amount: 25_000n }))).toEqual([]);
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: usual, amount: 25_001n }))).toEqual(['UNUSUAL_AMOUNT']);
      const bigSpender = [100_000n, 120_000n, 110_000n];
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: bigSpender, amount: 550_000n }))).toEqual([]);
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: bigSpender, amount: 550_001n }))).toEqual(['UNUSUAL_AMOUNT']);
    });

    it('never holds an amount up to the floor (250.00), however small the usual amounts', () => {
      const coffees = [300n, 350n, 400n];
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: coffees, amount: 25_000n }))).toEqual([]);
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: coffees, amount: 25_001n }))).toEqual(['UNUSUAL_AMOUNT']);
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: coffees, amount: 5_001n }), { unusualAmountFloorMajor: 50n })).toEqual([
        'UNUSUAL_AMOUNT',
      ]);
    });

    it('says nothing with fewer than three earlier payments', () => {
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: [100n, 100n], amount: 10_000_000n }))).toEqual([]);
    });

    it('looks at the latest twenty payments only', () => {
      const history = [...Array.from({ length: 20 }, () => 1_000n), ...Array.from({ length: 30 }, () => 1_000_000n)];
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: history, amount: 30_000n }))).toEqual(['UNUSUAL_AMOUNT']);
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: history, amount: 30_000n }), { unusualAmountHistory: 50 })).toEqual([]);
    });

    it('counts the floor in the currency’s own units (JPY has no minor unit)', () => {
      const yen = { currency: 'JPY' as const, recentSuccessfulAmounts: [10n, 10n, 10n] };
      expect(evaluateFraudRules(signals({ ...yen, amount: 250n }))).toEqual([]);
      expect(evaluateFraudRules(signals({ ...yen, amount: 251n }))).toEqual(['UNUSUAL_AMOUNT']);
    });

    it('accepts a fractional multiplier', () => {
      const history = [100_000n, 100_000n, 100_000n];
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: history, amount: 250_000n }), { unusualAmountMultiplier: 2.5 })).toEqual([]);
      expect(evaluateFraudRules(signals({ recentSuccessfulAmounts: history, amount: 250_001n }), { unusualAmountMultiplier: 2.5 })).toEqual([
        'UNUSUAL_AMOUNT',
      ]);
    });
  });

  describe('NEW_PAYEE_LARGE_FIRST_PAYMENT', () => {
    const newPayee = { createdAt: ago(hours(2)), earlierPayments: 0 };
    const history = { recentSuccessfulAmounts: [100_000n, 100_000n, 100_000n] };

    it('holds a first payment above 500.00 to a payee created less than a day ago', () => {
      expect(evaluateFraudRules(signals({ ...history, payee: newPayee, amount: 50_000n }))).toEqual([]);
      expect(evaluateFraudRules(signals({ ...history, payee: newPayee, amount: 50_001n }))).toEqual(['NEW_PAYEE_LARGE_FIRST_PAYMENT']);
    });

    it('lets it through to an older payee, or after a first payment', () => {
      expect(evaluateFraudRules(signals({ ...history, payee: { ...newPayee, createdAt: ago(hours(24)) }, amount: 90_000n }))).toEqual([]);
      expect(evaluateFraudRules(signals({ ...history, payee: { ...newPayee, earlierPayments: 1 }, amount: 90_000n }))).toEqual([]);
    });

    it('reads the threshold in the payment currency’s major units', () => {
      expect(evaluateFraudRules(signals({ ...history, currency: 'JPY', payee: newPayee, amount: 501n }))).toEqual(['NEW_PAYEE_LARGE_FIRST_PAYMENT']);
      expect(evaluateFraudRules(signals({ ...history, payee: newPayee, amount: 100_001n }), { newPayeeFirstPaymentMaxMajor: 1_000n })).toEqual([
        'NEW_PAYEE_LARGE_FIRST_PAYMENT',
      ]);
    });
  });

  it('reports every rule triggered, in a fixed order', () => {
    const reasons = evaluateFraudRules({
      now,
      amount: 1_000_000n,
      currency: 'EUR',
      recentPaymentTimes: times(12, minutes(1)),
      payeeCreationTimes: times(5, minutes(10)),
      recentSuccessfulAmounts: [1_000n, 2_000n, 3_000n],
      payee: { createdAt: ago(minutes(10)), earlierPayments: 0 },
    });
    expect(reasons).toEqual(['VELOCITY', 'NEW_PAYEE_VELOCITY', 'UNUSUAL_AMOUNT', 'NEW_PAYEE_LARGE_FIRST_PAYMENT']);
  });
});
