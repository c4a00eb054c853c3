/**
 * The simulated provider's rules (the tables in simulated-provider.ts): what
 * each test card does, and how a payout or a refund ends by its amount and
 * destination.
 */
import type { DeclineCode, PayoutRequest, RefundRequest, ReturnCode } from './payment-provider';

/** The card numbers of the tables, by what they do. */
export const SIMULATED_CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expired: '4000000000000069',
  unavailableOnce: '4000000000000119',
  pending: '4000000000003220',
} as const;

/** What a card does when charged, kept with its token instead of the number. */
export type CardBehaviour = 'SUCCEED' | 'DECLINE' | 'INSUFFICIENT_FUNDS' | 'EXPIRED' | 'UNAVAILABLE_ONCE' | 'PENDING';

/** The behaviour of each test card number that does not simply succeed. */
export const BEHAVIOUR_OF: Record<string, CardBehaviour> = {
  [SIMULATED_CARDS.declined]: 'DECLINE',
  [SIMULATED_CARDS.insufficientFunds]: 'INSUFFICIENT_FUNDS',
  [SIMULATED_CARDS.expired]: 'EXPIRED',
  [SIMULATED_CARDS.unavailableOnce]: 'UNAVAILABLE_ONCE',
  [SIMULATED_CARDS.pending]: 'PENDING',
};

/** A final outcome without the provider's reference. */
export type Outcome = { status: 'SUCCEEDED' } | { status: 'DECLINED'; declineCode: DeclineCode; message: string };

const SUCCEEDED: Outcome = { status: 'SUCCEEDED' };
const declined = (declineCode: DeclineCode, message: string): Outcome => ({ status: 'DECLINED', declineCode, message });

/** What the rules decide: the final outcome, whether it waits for a webhook, whether the answer is lost after recording, and whether the receiving bank sends it back. */
export interface Decision {
  outcome: Outcome;
  pending?: boolean;
  answerLost?: boolean;
  returned?: ReturnCode;
}

/** The charge rules of the table, by the card's behaviour. */
export const CARD_DECISIONS: Record<CardBehaviour, Decision> = {
  SUCCEED: { outcome: SUCCEEDED },
  UNAVAILABLE_ONCE: { outcome: SUCCEEDED },
  DECLINE: { outcome: declined('card_declined', 'The card was declined.') },
  INSUFFICIENT_FUNDS: { outcome: declined('insufficient_funds', 'The card has insufficient funds.') },
  EXPIRED: { outcome: declined('expired_card', 'The card has expired.') },
  PENDING: { outcome: SUCCEEDED, pending: true },
};

/** The payout rules of the table, after the lost-in-transit one. */
export function decidePayout(request: PayoutRequest): Decision {
  const { destination } = request;
  const account = destination.kind === 'IBAN' ? destination.iban : destination.kind === 'UK' ? destination.accountNumber : destination.reference;
  if (account.endsWith('0000')) return { outcome: declined('invalid_account', 'The beneficiary account does not exist.') };
  const ending = request.amount % 100n;
  if (ending === 13n) return { outcome: SUCCEEDED, answerLost: true };
  if (ending === 66n) return { outcome: declined('account_closed', 'The beneficiary account is closed.'), pending: true };
  if (ending === 77n) return { outcome: SUCCEEDED, pending: true };
  if (ending === 55n) return { outcome: SUCCEEDED, returned: 'account_closed' };
  return { outcome: SUCCEEDED };
}

/** The refund rules of the table, after the lost-in-transit one and the checks against the charge. */
export function decideRefund(request: RefundRequest, card: CardBehaviour | undefined): Decision {
  if (request.amount % 100n === 66n) return { outcome: declined('expired_or_canceled_card', 'The card can no longer receive money.') };
  if (card === 'PENDING') return { outcome: SUCCEEDED, pending: true };
  return { outcome: SUCCEEDED };
}

/** Whether a payout or refund of `amount` (minor units) is lost in transit the first time: the amounts ending in 14. */
export function lostInTransit(amount: bigint): boolean {
  return amount % 100n === 14n;
}
