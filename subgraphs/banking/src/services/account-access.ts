import { DomainError, ErrorCode, errors, type AccessTokenClaims } from '@meridian/platform';
import type { AccountRecord } from '../domain/account';
import { accessTo, isStaffReader } from '../domain/account-access';
import type { AccessAuditLog } from './access-audit-log';

/**
 * Who may read which account. Customers read their own accounts; staff with
 * `customers:read` read any customer account and every such read is audited
 * before the data is returned; anyone else learns nothing, not even that an
 * account exists.
 */
export class AccountAccess {
  constructor(private readonly audit: AccessAuditLog) {}

  /**
   * The accounts the viewer may read, null in place of the others (missing or
   * not theirs alike). Staff reads are recorded in one statement.
   */
  async readable(
    viewer: AccessTokenClaims,
    accounts: readonly (AccountRecord | null)[],
    operation: string,
    requestId: string,
  ): Promise<(AccountRecord | null)[]> {
    const access = accounts.map((account) => (account ? accessTo(viewer, account) : 'NONE'));
    await this.audit.record(
      accounts.flatMap((account, i) =>
        account && access[i] === 'STAFF' ? [{ staffUserId: viewer.userId, accountId: account.id, operation, requestId }] : [],
      ),
    );
    return accounts.map((account, i) => (access[i] === 'NONE' ? null : account));
  }

  /**
   * A user's accounts for the user or staff with `customers:read` (audited).
   * Errors: FORBIDDEN (anyone else).
   */
  async accountsOf(
    viewer: AccessTokenClaims,
    ownerId: string,
    accounts: readonly AccountRecord[],
    operation: string,
    requestId: string,
  ): Promise<AccountRecord[]> {
    if (viewer.userId !== ownerId && !isStaffReader(viewer)) throw errors.forbidden('Only the user and staff who looked them up may see these accounts.');
    return (await this.readable(viewer, accounts, operation, requestId)).filter((a): a is AccountRecord => a !== null);
  }

  /**
   * The account when the viewer owns it; writes never reveal whether someone
   * else's account exists. Errors: NOT_FOUND.
   */
  owned(viewer: AccessTokenClaims, account: AccountRecord | null, field = 'accountId'): AccountRecord {
    if (!account || account.kind !== 'CUSTOMER' || account.ownerId !== viewer.userId) {
      throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found.', { field });
    }
    return account;
  }
}
