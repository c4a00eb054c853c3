import { errors, isUuid, uuidv7 } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { balanceOf, type AccountRecord, type CustomerAccountType, type SystemAccountType } from '../domain/account';
import { accountNumberFor } from '../domain/account-number';
import { CURRENCIES, type CurrencyCode } from '../domain/currency';
import { ACCOUNT_COLUMNS, toAccount } from '../data/rows';

/** What `openAccount` needs. */
export interface OpenAccountInput {
  ownerId: string;
  type: CustomerAccountType;
  currency: CurrencyCode;
  name?: string;
  /** Minor units the balance may go below zero; LOAN accounts use it for their principal. Default 0. */
  overdraftLimit?: bigint;
}

const customerTypes = new Set<CustomerAccountType>(['CURRENT', 'SAVINGS', 'WALLET', 'LOAN']);
const defaultNames: Record<CustomerAccountType, string> = {
  CURRENT: 'Current account',
  SAVINGS: 'Savings',
  WALLET: 'Wallet',
  LOAN: 'Loan',
};

/** Opening, closing and reading accounts; balances only ever change through the ledger. */
export class AccountService {
  constructor(private readonly db: DataSource) {}

  /** Opens a customer account. Errors: BAD_USER_INPUT. */
  async openAccount(input: OpenAccountInput): Promise<AccountRecord> {
    if (!customerTypes.has(input.type)) throw errors.badInput('type is CURRENT, SAVINGS, WALLET or LOAN.', { field: 'type' });
    if (!(input.currency in CURRENCIES)) throw errors.badInput('Unsupported currency.', { field: 'currency' });
    const name = (input.name ?? defaultNames[input.type]).trim();
    if (name.length < 1 || name.length > 60 || /[\p{Cc}\p{Cf}]/u.test(name)) {
      throw errors.badInput('name is 1 to 60 printable characters.', { field: 'name' });
    }
    const overdraft = input.overdraftLimit ?? 0n;
    if (overdraft < 0n) throw errors.badInput('overdraftLimit cannot be negative.', { field: 'overdraftLimit' });
    return this.insert({ ownerId: input.ownerId, kind: 'CUSTOMER', type: input.type, currency: input.currency, name, overdraft });
  }

  /**
   * Closes an account whose balances are all zero.
   * Errors: NOT_FOUND, CONFLICT (already closed, money or holds left on it).
   */
  async closeAccount(id: string): Promise<AccountRecord> {
    return this.db.transaction(async (m) => {
      const [row]: Record<string, unknown>[] = await m.query(
        `SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE id = $1 AND kind = 'CUSTOMER' FOR UPDATE`,
        [id],
      );
      if (!row) throw errors.notFound('Account not found.');
      const account = toAccount(row);
      if (account.status === 'CLOSED') throw errors.conflict('The account is already closed.');
      const balance = balanceOf(account);
      if (balance.posted !== 0n || account.debitsPending !== 0n || account.creditsPending !== 0n) {
        throw errors.conflict('Only an account with a zero balance and no pending transfers can be closed.');
      }
      // TypeORM answers an UPDATE with [rows, affected count], not the rows alone.
      const [[closed]]: [Record<string, unknown>[], number] = await m.query(
        `UPDATE banking.accounts SET status = 'CLOSED', closed_at = now() WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
        [id],
      );
      return toAccount(closed);
    });
  }

  /** The system account of a type and currency, created on first use (they may go negative). */
  async systemAccount(type: SystemAccountType, currency: CurrencyCode): Promise<AccountRecord> {
    const [existing]: Record<string, unknown>[] = await this.db.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE kind = 'SYSTEM' AND type = $1 AND currency = $2`,
      [type, currency],
    );
    if (existing) return toAccount(existing);
    // Two processes may create it at once: the unique index keeps one, and both read it back.
    const [{ n }]: { n: string }[] = await this.db.query(`SELECT nextval('banking.account_number_seq') AS n`);
    await this.db.query(
      `INSERT INTO banking.accounts (id, number, owner_id, kind, type, currency, name, overdraft_limit)
       VALUES ($1, $2, NULL, 'SYSTEM', $3, $4, $5, 0) ON CONFLICT (type, currency) WHERE kind = 'SYSTEM' DO NOTHING`,
      [uuidv7(), accountNumberFor(BigInt(n)), type, currency, `${type} ${currency}`],
    );
    const [row]: Record<string, unknown>[] = await this.db.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE kind = 'SYSTEM' AND type = $1 AND currency = $2`,
      [type, currency],
    );
    return toAccount(row);
  }

  /** Accounts by id, in the order asked, null where missing (for DataLoader). */
  async findByIds(ids: readonly string[]): Promise<(AccountRecord | null)[]> {
    const valid = ids.filter(isUuid);
    const rows: Record<string, unknown>[] = valid.length
      ? await this.db.query(`SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE id = ANY($1::uuid[])`, [valid])
      : [];
    const byId = new Map(rows.map((r) => [r.id as string, toAccount(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Every customer account of each owner, oldest first (for DataLoader). */
  async findByOwners(ownerIds: readonly string[]): Promise<AccountRecord[][]> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE owner_id = ANY($1::uuid[]) ORDER BY opened_at, id`,
      [ownerIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id))],
    );
    const byOwner = new Map<string, AccountRecord[]>();
    for (const row of rows) {
      const account = toAccount(row);
      byOwner.set(account.ownerId!, [...(byOwner.get(account.ownerId!) ?? []), account]);
    }
    return ownerIds.map((id) => byOwner.get(id) ?? []);
  }

  private async insert(a: {
    ownerId: string | null;
    kind: 'CUSTOMER' | 'SYSTEM';
    type: string;
    currency: CurrencyCode;
    name: string;
    overdraft: bigint;
  }): Promise<AccountRecord> {
    const [{ n }]: { n: string }[] = await this.db.query(`SELECT nextval('banking.account_number_seq') AS n`);
    const [row]: Record<string, unknown>[] = await this.db.query(
      `INSERT INTO banking.accounts (id, number, owner_id, kind, type, currency, name, overdraft_limit)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ACCOUNT_COLUMNS}`,
      [uuidv7(), accountNumberFor(BigInt(n)), a.ownerId, a.kind, a.type, a.currency, a.name, a.overdraft.toString()],
    );
    return toAccount(row);
  }
}
