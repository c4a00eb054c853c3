import { DomainError } from '@meridian/platform';
import type { ChargeRequest, PayoutRequest, TokenizeCardRequest } from '../../src/providers/payment-provider';
import { parseCard, parseChargeRequest, parsePayoutRequest, requestFingerprint } from '../../src/providers/provider-requests';

const NOW = new Date('2026-06-15T12:00:00Z');
const PAN = '4242424242424242';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('Expected a DomainError.');
}

const card = (overrides: Partial<TokenizeCardRequest> = {}): TokenizeCardRequest => ({ pan: PAN, expMonth: 12, expYear: 2030, cvc: '123', ...overrides });

const charge = (overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
  attemptId: 'att_1',
  cardToken: 'tok_sim_1',
  amount: 2500n,
  currency: 'GBP',
  description: 'Top-up',
  ...overrides,
});

const payout = (overrides: Partial<PayoutRequest> = {}): PayoutRequest => ({
  attemptId: 'att_1',
  destination: { kind: 'IBAN', iban: 'GB82WEST12345698765432' },
  name: 'Jane Doe',
  amount: 1000n,
  currency: 'EUR',
  reference: 'Rent',
  ...overrides,
});

describe('parseCard', () => {
  it('accepts a number typed in groups, and a card expiring this month', () => {
    const parsed = parseCard(card({ pan: '4242-4242 4242-4242', expMonth: 6, expYear: 2026 }), NOW);
    expect(parsed.pan).toBe(PAN);
    expect({ ...parsed }).toEqual({ brand: 'visa', last4: '4242', expMonth: 6, expYear: 2026 });
  });

  it('keeps the number out of spreads and JSON', () => {
    const parsed = parseCard(card(), NOW);
    expect(Object.keys(parsed)).not.toContain('pan');
    expect(JSON.stringify(parsed)).not.toContain(PAN);
  });

  it('knows the networks, with four-digit CVCs for American Express', () => {
    expect(parseCard(card({ pan: '5555555555554444' }), NOW).brand).toBe('mastercard');
    expect(parseCard(card({ pan: '378282246310005', cvc: '1234' }), NOW).brand).toBe('amex');
  });

  it.each<[string, Partial<TokenizeCardRequest>, string]>([
    ['a number failing the Luhn check', { pan: '4242424242424241' }, 'pan'],
    ['a number of no known network', { pan: '1234567812345670' }, 'pan'],
    ['letters in the number', { pan: '4242abcd42424242' }, 'pan'],
    ['month 13', { expMonth: 13 }, 'expMonth'],
    ['a fractional month', { expMonth: 1.5 }, 'expMonth'],
    ['a two-digit year', { expYear: 30 }, 'expYear'],
    ['a card that expired last month', { expMonth: 5, expYear: 2026 }, 'expYear'],
    ['a CVC of two digits', { cvc: '12' }, 'cvc'],
    ['a three-digit CVC on American Express', { pan: '378282246310005', cvc: '123' }, 'cvc'],
  ])('refuses %s, naming %s and never the number', (_case, overrides, field) => {
    const request = card(overrides);
    const error = refusal(() => parseCard(request, NOW));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CARD_INVALID', field });
    const digits = request.pan.replace(/\D/g, '');
    expect(JSON.stringify({ message: error.message, extensions: error.extensions })).not.toContain(digits);
  });
});

describe('parseChargeRequest', () => {
  it('trims the description', () => {
    expect(parseChargeRequest(charge({ description: '  Top-up ' })).description).toBe('Top-up');
  });

  it.each<[string, Partial<ChargeRequest>, string]>([
    ['a zero amount', { amount: 0n }, 'amount'],
    ['a negative amount', { amount: -5n }, 'amount'],
    ['an amount as a number', { amount: 25 as unknown as bigint }, 'amount'],
    ['an amount beyond 64 bits', { amount: 2n ** 63n }, 'amount'],
    ['an unsupported currency', { currency: 'XXX' as ChargeRequest['currency'] }, 'currency'],
    ['a blank description', { description: '   ' }, 'description'],
    ['an attemptId with a space', { attemptId: 'att 1' }, 'attemptId'],
    ['an empty attemptId', { attemptId: '' }, 'attemptId'],
    ['an empty token', { cardToken: '' }, 'cardToken'],
  ])('refuses %s, naming %s', (_case, overrides, field) => {
    const error = refusal(() => parseChargeRequest(charge(overrides)));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PAYMENT_REQUEST_INVALID', field });
  });
});

describe('parsePayoutRequest', () => {
  it('puts the IBAN in electronic form, the BIC in upper case and the sort code as six digits', () => {
    expect(parsePayoutRequest(payout({ destination: { kind: 'IBAN', iban: 'gb82 west 1234 5698 7654 32', bic: 'westgb2l' } })).destination).toEqual({
      kind: 'IBAN',
      iban: 'GB82WEST12345698765432',
      bic: 'WESTGB2L',
    });
    expect(parsePayoutRequest(payout({ destination: { kind: 'UK', sortCode: '12-34-56', accountNumber: '12345678' } })).destination).toEqual({
      kind: 'UK',
      sortCode: '123456',
      accountNumber: '12345678',
    });
  });

  it.each<[string, Partial<PayoutRequest>, string]>([
    ['an IBAN with wrong check digits', { destination: { kind: 'IBAN', iban: 'GB83WEST12345698765432' } }, 'destination.iban'],
    ['a malformed BIC', { destination: { kind: 'IBAN', iban: 'GB82WEST12345698765432', bic: 'WEST' } }, 'destination.bic'],
    ['a five-digit sort code', { destination: { kind: 'UK', sortCode: '12345', accountNumber: '12345678' } }, 'destination.sortCode'],
    ['a seven-digit account number', { destination: { kind: 'UK', sortCode: '123456', accountNumber: '1234567' } }, 'destination.accountNumber'],
    ['an unknown destination kind', { destination: { kind: 'SWIFT' } as unknown as PayoutRequest['destination'] }, 'destination.kind'],
    ['a blank name', { name: ' ' }, 'name'],
    ['a reference over 140 characters', { reference: 'x'.repeat(141) }, 'reference'],
  ])('refuses %s, naming %s', (_case, overrides, field) => {
    const error = refusal(() => parsePayoutRequest(payout(overrides)));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PAYMENT_REQUEST_INVALID', field });
  });
});

describe('requestFingerprint', () => {
  it('is equal for spellings of one request and differs by content and by kind', () => {
    const a = parsePayoutRequest(payout({ destination: { kind: 'IBAN', iban: 'GB82 WEST 1234 5698 7654 32' } }));
    const b = parsePayoutRequest(payout());
    expect(requestFingerprint('PAYOUT', a)).toBe(requestFingerprint('PAYOUT', b));
    expect(requestFingerprint('PAYOUT', parsePayoutRequest(payout({ amount: 1001n })))).not.toBe(requestFingerprint('PAYOUT', b));
    expect(requestFingerprint('CHARGE', b)).not.toBe(requestFingerprint('PAYOUT', b));
  });
});
