import { DomainError } from '@meridian/platform';
import {
  assertTransition,
  canTransition,
  isCancelable,
  isTerminal,
  PAYMENT_STATUSES,
  PAYMENT_TRANSITIONS,
  type PaymentStatus,
} from '../../src/domain/payment-state';

// Written out by hand from the specification, so the table is checked against it rather than against itself.
const LEGAL: readonly string[] = [
  'REQUIRES_CONFIRMATION->PROCESSING',
  'REQUIRES_CONFIRMATION->CANCELED',
  'REQUIRES_CONFIRMATION->REQUIRES_REVIEW',
  'REQUIRES_CONFIRMATION->FAILED',
  'REQUIRES_REVIEW->PROCESSING',
  'REQUIRES_REVIEW->FAILED',
  'REQUIRES_REVIEW->CANCELED',
  'PROCESSING->SUCCEEDED',
  'PROCESSING->FAILED',
  'SUCCEEDED->PARTIALLY_REFUNDED',
  'SUCCEEDED->REFUNDED',
  'PARTIALLY_REFUNDED->PARTIALLY_REFUNDED',
  'PARTIALLY_REFUNDED->REFUNDED',
];

const pairs = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.map((to) => [from, to] as [PaymentStatus, PaymentStatus]));
const legal = pairs.filter(([from, to]) => LEGAL.includes(`${from}->${to}`));
const illegal = pairs.filter(([from, to]) => !LEGAL.includes(`${from}->${to}`));

describe('payment state machine', () => {
  it('covers all eight statuses, 13 legal and 51 illegal pairs', () => {
    expect(new Set(PAYMENT_STATUSES).size).toBe(8);
    expect(Object.keys(PAYMENT_TRANSITIONS).sort()).toEqual([...PAYMENT_STATUSES].sort());
    expect(legal).toHaveLength(LEGAL.length);
    expect(illegal).toHaveLength(64 - 13);
  });

  it.each(legal)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(illegal)('refuses %s → %s with CONFLICT naming the current state', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(from, to);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    const error = thrown as DomainError;
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(`A payment in state ${from} cannot become ${to}.`);
    expect(error.extensions).toEqual({ code: 'CONFLICT', state: from });
  });

  it('calls only FAILED, CANCELED and REFUNDED terminal; refundable successes are not', () => {
    expect(PAYMENT_STATUSES.filter(isTerminal).sort()).toEqual(['CANCELED', 'FAILED', 'REFUNDED']);
  });

  it('lets the customer cancel only before processing', () => {
    expect(PAYMENT_STATUSES.filter(isCancelable).sort()).toEqual(['REQUIRES_CONFIRMATION', 'REQUIRES_REVIEW']);
  });
});
