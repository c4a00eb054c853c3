import { validateCard, type CardInput } from '../../src/domain/card';

const now = new Date('2026-06-15T12:00:00Z');
const card = (extra: Partial<CardInput> = {}, at = now) =>
  validateCard({ number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123', ...extra }, at);

const badInput = (field: string) => expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { code: 'BAD_USER_INPUT', field } });

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('card number', () => {
  it.each([
    ['4242424242424242', 'VISA', '4242', '123'],
    ['5555555555554444', 'MASTERCARD', '4444', '123'],
    ['378282246310005', 'AMERICAN_EXPRESS', '0005', '1234'],
    // Stripe's "card declined" number is a valid card: the provider declines it, not the form.
    ['4000000000000002', 'VISA', '0002', '123'],
    ['6011111111111117', 'DISCOVER', '1117', '123'],
    ['6200000000000005', 'UNIONPAY', '0005', '123'],
  ])('accepts %s as %s', (number, brand, last4, cvc) => {
    const checked = card({ number, cvc });
    expect(checked.card).toEqual({ brand, last4, expMonth: 12, expYear: 2030 });
    expect(checked.panForProvider).toBe(number);
    expect(checked.cvcForProvider).toBe(cvc);
  });

  it('accepts spaces and dashes, and hands the provider digits only', () => {
    expect(card({ number: ' 4242 4242 4242 4242 ' }).panForProvider).toBe('4242424242424242');
    expect(card({ number: '5555-5555-5555-4444' }).panForProvider).toBe('5555555555554444');
  });

  it.each([
    ['a failed Luhn check', '4242424242424241'],
    ['a failed Luhn check on UnionPay too', '6200000000000006'],
    ['an unknown brand', '9999999999999995'],
    ['too few digits', '4242'],
    ['too many digits', '42424242424242424242'],
    ['letters', '4242a24242424242'],
    ['nothing', ''],
  ])('refuses a number with %s (field number)', (_why, number) => {
    expect(() => card({ number })).toThrow(badInput('number'));
  });

  it('never repeats the number in its error', () => {
    expect(errorOf(() => card({ number: '4242424242424241' })).message).not.toMatch(/\d{4}/);
  });

  it('keeps the number and code out of anything copied, serialised or logged', () => {
    const checked = card();
    expect(JSON.stringify(checked)).not.toContain('4242424242424242');
    expect(JSON.stringify(checked)).not.toContain('"123"');
    expect({ ...checked }).toEqual({ card: checked.card });
    expect(Object.keys(checked)).toEqual(['card']);
  });
});

describe('card expiry', () => {
  it('accepts two- and four-digit years, as numbers or strings', () => {
    expect(card({ expMonth: '7', expYear: '27' }).card).toMatchObject({ expMonth: 7, expYear: 2027 });
    expect(card({ expMonth: '07', expYear: '2027' }).card).toMatchObject({ expMonth: 7, expYear: 2027 });
    expect(card({ expMonth: 1, expYear: 31 }).card).toMatchObject({ expMonth: 1, expYear: 2031 });
  });

  it('accepts a card to the end of its expiry month, in UTC', () => {
    expect(card({ expMonth: 6, expYear: 2026 }).card.expMonth).toBe(6);
    expect(card({ expMonth: 6, expYear: 2026 }, new Date('2026-06-30T23:59:59Z')).card.expYear).toBe(2026);
    expect(() => card({ expMonth: 6, expYear: 2026 }, new Date('2026-07-01T00:00:00Z'))).toThrow(badInput('expiry'));
  });

  it.each([
    ['last month', 5, 2026],
    ['last year', 12, 2025],
    ['month 0', 0, 2030],
    ['month 13', 13, 2030],
    ['a three-digit year', 1, 203],
    ['a one-digit year', 1, 7],
    ['more than 20 years ahead', 7, 2046],
    ['a decimal month', '1.5', 2030],
    ['a negative month', -1, 2030],
  ])('refuses %s (field expiry)', (_why, expMonth, expYear) => {
    expect(() => card({ expMonth, expYear })).toThrow(badInput('expiry'));
  });

  it('says so when the card has expired', () => {
    expect(errorOf(() => card({ expMonth: 5, expYear: 2026 })).message).toBe('The card has expired.');
  });

  it('accepts 20 years ahead to the month', () => {
    expect(card({ expMonth: 6, expYear: 2046 }).card.expYear).toBe(2046);
  });
});

describe('card security code', () => {
  it('wants three digits for most brands and four for American Express', () => {
    expect(() => card({ cvc: '1234' })).toThrow(badInput('cvc'));
    expect(() => card({ cvc: '12' })).toThrow(badInput('cvc'));
    expect(() => card({ number: '378282246310005', cvc: '123' })).toThrow(badInput('cvc'));
    expect(errorOf(() => card({ number: '378282246310005', cvc: '123' })).message).toBe('The security code has 4 digits.');
  });

  it('refuses anything but digits', () => {
    expect(() => card({ cvc: '12a' })).toThrow(badInput('cvc'));
    expect(() => card({ cvc: '' })).toThrow(badInput('cvc'));
  });
});
