import { MeridianError } from '@meridian/client';
import { paymentDetailErrors, parseRecipient, refusedPaymentField, EMPTY_PAYMENT_DETAILS } from '../src/payments/payment-details';
import { addAmounts, fromMinorUnits, percentOf } from '../src/payments/payment-money';
import { limitMessage } from '../src/payments/payment-refusals';
import { paymentsSection } from '../src/payments/payments-page';
import { isPlausibleBic, isPlausibleCardNumber, isPlausibleIban } from '../src/payments/saved-destination-checks';
import { describeLastOutcome, isTimeZone, scheduleErrors, scheduleInputOf, type ScheduleValues } from '../src/payments/schedule-details';
import { account } from './support/accounts';

const refusalOf = (code: string, extensions: Record<string, unknown>) =>
  new MeridianError(code as never, 'refused', { errors: [{ message: 'refused', extensions: { code, ...extensions } }] });

describe('payments helpers', () => {
  it('reads a recipient as an email address or an international phone number', () => {
    expect(parseRecipient(' ana@example.com ')).toEqual({ email: 'ana@example.com' });
    expect(parseRecipient('+44 (7700) 900-123')).toEqual({ phone: '+447700900123' });
    expect(parseRecipient('07700900123')).toBeUndefined();
    expect(parseRecipient('ana@')).toBeUndefined();
    expect(parseRecipient('+0123456789')).toBeUndefined();
  });

  it('checks the payment fields against the chosen kind and account', () => {
    const gbp = account('acc-1', 'Everyday', 'GBP', '10.00');
    const jpy = account('acc-2', 'Tokyo', 'JPY', '1000');
    const accounts = new Map([gbp, jpy].map((a) => [a.id, a]));
    const destinations = { payees: new Set(['payee-1']), billers: new Set<string>() };
    expect(paymentDetailErrors({ ...EMPTY_PAYMENT_DETAILS, kind: 'PAYOUT', payeeId: 'payee-1', accountId: jpy.id, amount: '12.5' }, accounts, destinations)).toMatchObject({
      recipient: null,
      payeeId: null,
      amount: 'This currency does not have that many decimal places.',
    });
    expect(paymentDetailErrors({ ...EMPTY_PAYMENT_DETAILS, recipient: 'ana@example.com', accountId: gbp.id, amount: '5', description: 'x'.repeat(141) }, accounts, destinations)).toMatchObject({
      recipient: null,
      amount: null,
      description: 'Use at most 140 characters.',
    });
    expect(paymentDetailErrors({ ...EMPTY_PAYMENT_DETAILS, recipient: 'a@b.co', accountId: gbp.id, amount: '5', description: 'bell\u0007' }, accounts, destinations).description).toBe(
      'Use letters, digits, spaces and punctuation only.',
    );
  });

  it('names the form field a refusal is about, and only those the form shows', () => {
    expect(refusedPaymentField(refusalOf('NOT_FOUND', { field: 'recipient' }))).toBe('recipient');
    expect(refusedPaymentField(refusalOf('CONFLICT', { field: 'accountId' }))).toBe('accountId');
    expect(refusedPaymentField(refusalOf('BAD_USER_INPUT', { field: 'currency' }))).toBeUndefined();
    expect(refusedPaymentField(refusalOf('LIMIT_EXCEEDED', { field: 'amount' }))).toBeUndefined();
  });

  it('words each limit with the limit in its currency', () => {
    expect(limitMessage(refusalOf('LIMIT_EXCEEDED', { reason: 'PER_PAYMENT', limit: '150000' }), 'JPY')).toBe('A single payment can be at most ¥150,000. Pay less, or split it over several days.');
    expect(limitMessage(refusalOf('LIMIT_EXCEEDED', { reason: 'DAILY', limit: '2500.00' }), 'EUR')).toContain('daily limit of €2,500.00');
    expect(limitMessage(refusalOf('LIMIT_EXCEEDED', {}), 'GBP')).toBe('This payment is over your limit. refused');
  });

  it('adds and divides amounts exactly, in minor units', () => {
    expect(fromMinorUnits(123450n, 'GBP')).toBe('1234.50');
    expect(fromMinorUnits(5n, 'GBP')).toBe('0.05');
    expect(fromMinorUnits(-5n, 'EUR')).toBe('-0.05');
    expect(fromMinorUnits(1500n, 'JPY')).toBe('1500');
    expect(addAmounts('GBP', '0.10', '0.20')).toBe('0.30');
    expect(addAmounts('GBP', '99999999999999.99', '0.01')).toBe('100000000000000.00');
    expect(percentOf('65.00', '2500.00', 'GBP')).toBe(2);
    expect(percentOf('2500.00', '2500.00', 'GBP')).toBe(100);
    expect(percentOf('0.00', '0.00', 'GBP')).toBe(0);
  });

  it('checks IBANs, BICs and card numbers as the API does', () => {
    expect(isPlausibleIban('GB29 NWBK 6016 1331 9268 19')).toBe(true);
    expect(isPlausibleIban('gb29nwbk60161331926818')).toBe(false);
    expect(isPlausibleIban('GB29')).toBe(false);
    expect(isPlausibleBic('NWBKGB2L')).toBe(true);
    expect(isPlausibleBic('NWBKGB2LXXX')).toBe(true);
    expect(isPlausibleBic('NWBK')).toBe(false);
    expect(isPlausibleCardNumber('4242 4242 4242 4242')).toBe(true);
    expect(isPlausibleCardNumber('4000-0000-0000-0002')).toBe(true);
    expect(isPlausibleCardNumber('4242 4242 4242 4241')).toBe(false);
    expect(isPlausibleCardNumber('4242')).toBe(false);
  });

  it('checks and writes schedules as payments takes them', () => {
    const base: ScheduleValues = { frequency: 'ONCE', date: '2026-12-06', dayOfWeek: '', dayOfMonth: '', timeOfDay: '09:00', timeZone: 'Europe/London', endDate: '', count: '' };
    expect(scheduleErrors(base, '2026-12-07').date).toBe('Choose today or a later date.');
    expect(scheduleErrors({ ...base, date: '2026-02-30' }, '2026-01-01').date).toBe('Choose the date it is paid.');
    expect(scheduleErrors({ ...base, date: '2026-12-07', timeOfDay: '24:00' }, '2026-12-07')).toMatchObject({ date: null, timeOfDay: 'Enter a time such as 09:00.' });
    expect(scheduleErrors({ ...base, frequency: 'WEEKLY', dayOfWeek: 'FRIDAY', endDate: '2026-12-01' }, '2026-12-07').endDate).toBe('Choose today or a later date.');
    expect(scheduleInputOf({ ...base, date: '2026-12-24' })).toEqual({ frequency: 'ONCE', date: '2026-12-24', timeOfDay: '09:00', timeZone: 'Europe/London' });
    expect(scheduleInputOf({ ...base, frequency: 'WEEKLY', dayOfWeek: 'FRIDAY', endDate: '2027-06-30' })).toEqual({
      frequency: 'WEEKLY',
      dayOfWeek: 'FRIDAY',
      timeOfDay: '09:00',
      timeZone: 'Europe/London',
      endDate: '2027-06-30',
    });
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('IST')).toBe(false);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(describeLastOutcome('REFUSED:LIMIT_EXCEEDED')).toBe('Last run could not pay: limit exceeded');
    expect(describeLastOutcome('FAILED:INSUFFICIENT_FUNDS')).toBe('Last run failed: insufficient funds');
    expect(describeLastOutcome('SUCCEEDED')).toBe('Last run paid');
    expect(describeLastOutcome(null)).toBeUndefined();
  });

  it('knows which payments section a path is in', () => {
    expect(paymentsSection('/payments')).toBe('/payments');
    expect(paymentsSection('/payments/0190f1c2-6a1b-7c3d-8e4f-000000000001')).toBe('/payments');
    expect(paymentsSection('/payments/payees')).toBe('/payments/payees');
    expect(paymentsSection('/payments/pay')).toBe('/payments/pay');
    expect(paymentsSection('/paymentsx')).toBeUndefined();
  });
});
