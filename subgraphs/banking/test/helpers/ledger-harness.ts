import { randomUUID } from 'node:crypto';
import { closeDataSource, initializeDataSource } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import type { DataSource } from 'typeorm';
import { AccountService, createBankingDataSource, DEFAULT_LEDGER_TIMEOUTS, LedgerService, type AccountRecord, type CurrencyCode, type LedgerTimeouts } from '../../src';

/** Banking's services on a database of the test's own. */
export interface LedgerHarness {
  db: TestDatabase;
  dataSource: DataSource;
  accounts: AccountService;
  ledger: LedgerService;
  /** Opens a customer account and funds it from the clearing account. */
  fundedAccount(ownerId: string, currency: CurrencyCode, minorUnits: bigint, type?: 'CURRENT' | 'SAVINGS' | 'WALLET'): Promise<AccountRecord>;
  /** The account as stored now. */
  reload(id: string): Promise<AccountRecord>;
  /**
   * A new ledger service that has moved one minor unit from `a` to `b` and back,
   * so its forecast knows both accounts and the chain head, as a running process has.
   */
  warmLedger(a: string, b: string): Promise<LedgerService>;
  close(): Promise<void>;
}

/** Starts banking's services for one test file. */
export async function startLedger(poolSize = 10, timeouts: LedgerTimeouts = DEFAULT_LEDGER_TIMEOUTS): Promise<LedgerHarness> {
  const db = await createTestDatabase();
  const dataSource = createBankingDataSource(db.url, poolSize, timeouts);
  await initializeDataSource(dataSource, true);
  const accounts = new AccountService(dataSource);
  const ledger = new LedgerService(dataSource);
  return {
    db,
    dataSource,
    accounts,
    ledger,
    async fundedAccount(ownerId, currency, minorUnits, type = 'CURRENT') {
      const account = await accounts.openAccount({ ownerId, type, currency });
      if (minorUnits > 0n) {
        const clearing = await accounts.systemAccount('CLEARING', currency);
        await ledger.createTransfer({
          id: randomUUID(),
          code: 'DEPOSIT',
          postings: [
            { accountId: clearing.id, direction: 'DEBIT', amount: minorUnits, currency },
            { accountId: account.id, direction: 'CREDIT', amount: minorUnits, currency },
          ],
        });
      }
      return (await accounts.findByIds([account.id]))[0]!;
    },
    async reload(id) {
      return (await accounts.findByIds([id]))[0]!;
    },
    async warmLedger(a, b) {
      const warm = new LedgerService(dataSource);
      const move = (from: string, to: string) => ({
        id: randomUUID(),
        code: 'TRANSFER',
        postings: [
          { accountId: from, direction: 'DEBIT' as const, amount: 1n, currency: 'USD' as const },
          { accountId: to, direction: 'CREDIT' as const, amount: 1n, currency: 'USD' as const },
        ],
      });
      await warm.createTransfer(move(a, b));
      await warm.createTransfer(move(b, a));
      return warm;
    },
    async close() {
      await closeDataSource(dataSource);
      await db.drop();
    },
  };
}
