import { errors, type AccessTokenClaims } from '@meridian/platform';
import { parsePositiveAmount } from '../domain/money';
import { assertTransferId, type TransferRecord } from '../domain/transfer';
import type { AccountAccess } from './account-access';
import type { AccountService } from './account-service';
import type { LedgerService } from '../ledger';

/** A customer's request to move money between two of their own accounts. */
export interface OwnTransferRequest {
  /** Client-chosen UUID: the idempotency key. */
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  /** Decimal string in the accounts' currency, e.g. "12.34". */
  amount: string;
  description?: string | null;
}

/** Ledger code of a customer's transfer between their own accounts. */
export const OWN_TRANSFER_CODE = 'TRANSFER';
const MAX_DESCRIPTION = 140;

/** Moves money between two accounts of the same customer, in one currency. */
export class OwnTransferService {
  constructor(
    private readonly accounts: AccountService,
    private readonly ledger: LedgerService,
    private readonly access: AccountAccess,
  ) {}

  /**
   * Checks both accounts are the viewer's and hold the same currency, parses
   * the amount with that currency's exponent, and moves it in one ledger
   * transfer. Replaying the same request returns the original transfer.
   * Errors: BAD_USER_INPUT (ids, same account, currency mismatch, amount zero,
   * negative, too many decimals or beyond 64 bits, description), NOT_FOUND
   * (missing or not the viewer's), CONFLICT (closed or
   * frozen account), INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED.
   */
  async transfer(viewer: AccessTokenClaims, request: OwnTransferRequest): Promise<TransferRecord> {
    assertTransferId(request.transferId);
    if (request.fromAccountId === request.toAccountId) {
      throw errors.badInput('fromAccountId and toAccountId must be different accounts.', { field: 'toAccountId' });
    }
    const description = (request.description ?? '').trim();
    if (description.length > MAX_DESCRIPTION || /[\p{Cc}\p{Cf}]/u.test(description)) {
      throw errors.badInput(`description is at most ${MAX_DESCRIPTION} printable characters.`, { field: 'description' });
    }
    const [fromRecord, toRecord] = await this.accounts.findByIds([request.fromAccountId, request.toAccountId]);
    const from = this.access.owned(viewer, fromRecord, 'fromAccountId');
    const to = this.access.owned(viewer, toRecord, 'toAccountId');
    if (from.currency !== to.currency) {
      throw errors.badInput(`Both accounts must hold the same currency (${from.currency} and ${to.currency}); use a currency exchange instead.`, {
        field: 'toAccountId',
      });
    }
    const amount = parsePositiveAmount(request.amount, from.currency);
    return this.ledger.createTransfer({
      id: request.transferId,
      code: OWN_TRANSFER_CODE,
      description,
      causedBy: `user:${viewer.userId}`,
      postings: [
        { accountId: from.id, direction: 'DEBIT', amount, currency: from.currency },
        { accountId: to.id, direction: 'CREDIT', amount, currency: to.currency },
      ],
    });
  }
}
