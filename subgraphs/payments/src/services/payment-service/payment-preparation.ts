import { currencyCode, DomainError, ErrorCode, errors, isUuid, parsePositiveAmount } from '@meridian/platform';
import { assertTierMayPay, type KycTier } from '../../domain/limits';
import type { BillPaymentInput, CardPaymentInput, P2PPaymentInput, PaymentServiceDeps, PayoutPaymentInput, PreparedPayment } from './payment-inputs';

const MAX_DESCRIPTION = 140;

/** The kinds of payment held towards the bank's settlement account and paid through the provider. */
type SettlementKind = 'PAYOUT' | 'BILL' | 'CARD';

/** How each kind's saved destination is read ($1 its id, $2 the customer), and what a missing one answers (NOT_FOUND on `field`). */
const SAVED_DESTINATIONS: Record<SettlementKind, { sql: string; notFound: string; field: string }> = {
  PAYOUT: { sql: `SELECT id, name FROM payments.payees WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`, notFound: 'Payee not found.', field: 'payeeId' },
  BILL: { sql: `SELECT id, name FROM payments.billers WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`, notFound: 'Biller not found.', field: 'billerId' },
  CARD: { sql: `SELECT id, brand, last4 FROM payments.cards WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`, notFound: 'Card not found.', field: 'cardId' },
};

/**
 * The checks of a create request, per kind of payment: amount, currency and
 * description, the payer's tier and account, and the recipient or the saved
 * destination, answered as the payment that would be created now.
 */
export class PaymentPreparation {
  constructor(private readonly deps: PaymentServiceDeps) {}

  /**
   * Checks a peer-to-peer payment as it would be created now: amount,
   * currency, tier, the payer's account, the recipient and their account.
   * Errors: as PaymentService.createP2P.
   */
  async prepareP2P(userId: string, input: P2PPaymentInput): Promise<PreparedPayment> {
    const { currency, amount, description } = this.checkInput(input);
    const [tier, account, recipient] = await firstFailureInOrder(this.payingTier(userId), this.ownAccount(userId, input.accountId, currency), this.findRecipient(input.recipient));
    if (recipient.id === userId) throw errors.badInput('You cannot pay yourself; move money between your own accounts instead.', { field: 'recipient' });
    const accounts = await this.deps.ledger.accountsOf(recipient.id);
    const to = accounts.find((a) => a.currency === currency && a.status === 'ACTIVE' && a.type === 'CURRENT') ?? accounts.find((a) => a.currency === currency && a.status === 'ACTIVE');
    if (!to) throw errors.badInput(`${recipient.displayName} has no account that receives ${currency}.`, { field: 'currency' });
    return {
      userId,
      tier,
      kind: 'P2P',
      amount,
      currency,
      accountId: account.id,
      counterpartyUserId: recipient.id,
      counterpartyAccountId: to.id,
      counterpartyName: recipient.displayName,
      payeeId: null,
      billerId: null,
      cardId: null,
      description,
    };
  }

  /** Checks a payout as it would be created now. Errors: as PaymentService.createPayout. */
  preparePayout(userId: string, input: PayoutPaymentInput): Promise<PreparedPayment> {
    return this.prepareToSettlement(userId, 'PAYOUT', input, input.payeeId, (payee) => ({ counterpartyName: payee.name as string, payeeId: payee.id as string }));
  }

  /** Checks a bill payment as it would be created now. Errors: as PaymentService.createBillPayment. */
  prepareBillPayment(userId: string, input: BillPaymentInput): Promise<PreparedPayment> {
    return this.prepareToSettlement(userId, 'BILL', input, input.billerId, (biller) => ({ counterpartyName: biller.name as string, billerId: biller.id as string }));
  }

  /** Checks a card payment as it would be created now. Errors: as PaymentService.createCardPayment. */
  prepareCardPayment(userId: string, input: CardPaymentInput): Promise<PreparedPayment> {
    return this.prepareToSettlement(userId, 'CARD', input, input.cardId, (card) => ({
      counterpartyName: `${String(card.brand).replace(/_/g, ' ')} •••• ${card.last4 as string}`,
      cardId: card.id as string,
    }));
  }

  /**
   * Checks a payment whose other side is the bank's settlement account and
   * one of the customer's saved destinations (`destinationId`, read as
   * SAVED_DESTINATIONS says): a payout, a bill payment or a card top-up.
   * `counterparty` names it and links it from its row.
   */
  private async prepareToSettlement(
    userId: string,
    kind: SettlementKind,
    input: { accountId: string; amount: string; currency: string; description?: string | null },
    destinationId: string,
    counterparty: (row: Record<string, unknown>) => Partial<Pick<PreparedPayment, 'payeeId' | 'billerId' | 'cardId'>> & { counterpartyName: string },
  ): Promise<PreparedPayment> {
    const { currency, amount, description } = this.checkInput(input);
    const { sql, notFound, field } = SAVED_DESTINATIONS[kind];
    const [tier, account, destination, settlement] = await firstFailureInOrder(
      this.payingTier(userId),
      this.ownAccount(userId, input.accountId, currency),
      this.savedDestination(sql, destinationId, userId, notFound, field),
      this.deps.ledger.systemAccount('SETTLEMENT', currency),
    );
    return {
      userId,
      tier,
      kind,
      amount,
      currency,
      accountId: account.id,
      counterpartyUserId: null,
      counterpartyAccountId: settlement.id,
      payeeId: null,
      billerId: null,
      cardId: null,
      ...counterparty(destination),
      description,
    };
  }

  /** Amount, currency and description of a create request. Errors: BAD_USER_INPUT. */
  private checkInput(input: { amount: string; currency: string; description?: string | null }) {
    const currency = currencyCode(input.currency);
    return { currency, amount: parsePositiveAmount(input.amount, currency), description: this.description(input.description) };
  }

  /** The payer's tier, refused (FORBIDDEN, TIER_TOO_LOW) when it may not pay anyone. */
  private async payingTier(userId: string): Promise<KycTier> {
    const tier = await this.deps.tiers.tierOf(this.deps.db, userId);
    assertTierMayPay(tier);
    return tier;
  }

  /** One of the customer's saved payees, billers or cards, read by `sql` ($1 id, $2 user). Errors: NOT_FOUND with `field`. */
  private async savedDestination(sql: string, id: string, userId: string, notFound: string, field: string): Promise<Record<string, unknown>> {
    const [row] = isUuid(id) ? await this.deps.db.query(sql, [id, userId]) : [];
    if (!row) throw new DomainError(ErrorCode.NOT_FOUND, notFound, { field });
    return row as Record<string, unknown>;
  }

  private description(input: string | null | undefined): string {
    const description = (input ?? '').trim();
    if (description.length > MAX_DESCRIPTION || /[\u0000-\u001f\u007f]/.test(description)) {
      throw errors.badInput(`description must be at most ${MAX_DESCRIPTION} characters without control characters.`, { field: 'description' });
    }
    return description;
  }

  private async ownAccount(userId: string, accountId: string, currency: string) {
    const account = isUuid(accountId) ? await this.deps.ledger.account(accountId) : null;
    if (!account || account.kind !== 'CUSTOMER' || account.ownerId !== userId) throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found.', { field: 'accountId' });
    if (account.status !== 'ACTIVE') throw errors.conflict(`The account is ${account.status.toLowerCase()}.`, { field: 'accountId' });
    if (account.currency !== currency) throw errors.badInput(`The account holds ${account.currency}, not ${currency}.`, { field: 'currency' });
    return account;
  }

  private async findRecipient(recipient: P2PPaymentInput['recipient']) {
    const email = recipient.email?.trim();
    const phone = recipient.phone?.trim();
    if (!!email === !!phone) throw errors.badInput('Give the recipient by email or by phone number, not both.', { field: 'recipient' });
    const found = await this.deps.directory.find(email ? { email } : { phone: phone! });
    if (!found) throw new DomainError(ErrorCode.NOT_FOUND, 'No Meridian customer has this email address or phone number.', { field: 'recipient' });
    return found;
  }
}

/**
 * Waits for independent checks run at once and answers their results, or
 * throws the error of the first one (in the order given) that failed, so the
 * caller hears the same refusal as if they had run one after another; no
 * rejection is left unhandled.
 */
async function firstFailureInOrder<T extends unknown[]>(...checks: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(checks);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as T;
}
