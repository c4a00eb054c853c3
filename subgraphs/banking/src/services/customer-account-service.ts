import { errors, type AccessTokenClaims } from '@meridian/platform';
import type { AccountRecord, CustomerAccountType } from '../domain/account';
import type { CurrencyCode } from '../domain/currency';
import type { AccountAccess } from './account-access';
import type { AccountService } from './account-service';

/** What a customer asks for when opening an account. */
export interface CustomerOpenAccountInput {
  type: CustomerAccountType;
  currency: CurrencyCode;
  name?: string | null;
}

/** Types a customer may open themselves; loans are opened by the bank. */
const SELF_SERVICE_TYPES = new Set<CustomerAccountType>(['CURRENT', 'SAVINGS', 'WALLET']);

/** Opening and closing accounts on behalf of the signed-in customer. */
export class CustomerAccountService {
  constructor(
    private readonly accounts: AccountService,
    private readonly access: AccountAccess,
  ) {}

  /** Opens an account owned by the viewer. Errors: FORBIDDEN (LOAN), BAD_USER_INPUT (name). */
  async open(viewer: AccessTokenClaims, input: CustomerOpenAccountInput): Promise<AccountRecord> {
    if (!SELF_SERVICE_TYPES.has(input.type)) throw errors.forbidden('Loan accounts are opened by the bank.');
    return this.accounts.openAccount({ ownerId: viewer.userId, type: input.type, currency: input.currency, name: input.name ?? undefined });
  }

  /**
   * Closes one of the viewer's accounts at a zero balance.
   * Errors: NOT_FOUND (missing or not the viewer's), CONFLICT (already closed, money or holds left).
   */
  async close(viewer: AccessTokenClaims, accountId: string): Promise<AccountRecord> {
    const [account] = await this.accounts.findByIds([accountId]);
    this.access.owned(viewer, account, 'id');
    return this.accounts.closeAccount(accountId);
  }
}
