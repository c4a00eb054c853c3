// The customers of the Meridian gateway benchmark and their history. Customers: one registered
// with identity, the others copied from it (bench/payments-fixtures.ts), each with a GBP current
// account, a GBP savings account and a EUR wallet. History: the demo customer's year (banking's
// planDemoHistory, a seed per customer: salary, rent, bills, groceries, card spending, savings,
// trips abroad), written through the ledger in two passes: first the opening balances and the
// last tenth of the year, then the nine tenths before it, so the second pass leaves each
// customer with ten times the transactions. Banking and identity are built in this process (as
// test/helpers/stack.ts builds them, not listening); the other schemas are migrated as
// `npm run migrate` does. Insights learns the history from the ledger's events, as in production.
import { createBankingServer, loadBankingConfig, planDemoHistory, type BankingServer, type DemoAccountRef, type DemoStep } from '@meridian/banking';
import { createIdentityServer, loadIdentityConfig } from '@meridian/identity';
import { createInsightsDataSource } from '@meridian/insights';
import { createKycDataSource } from '@meridian/kyc';
import { createPaymentsDataSource } from '@meridian/payments';
import { closeDataSource, initializeDataSource, uuidv7, type CurrencyCode } from '@meridian/platform';
import { copyCustomer, inPool } from './payments-fixtures';
import { roleEnv, sharedEnv, type StackSettings } from './payments-stack';

const PASSWORD = 'a long and unusual benchmark passphrase';
const ORIGIN = { ip: '127.0.0.1', userAgent: 'meridian-bench', requestId: 'bench-gateway-meridian' };
/** The first customer's seed; the others count up from it. */
const SEED = 20_261_207;
/** Steps before the year's days begin: the opening balances of the current and savings accounts. */
const OPENING_STEPS = 2;
/**
 * The opening balances are this many times the demo's: the last tenth of the year is written
 * first, and starts from them rather than from what the months before would have left.
 */
const OPENING_FACTOR = 4n;

type AccountRef = 'current' | 'savings' | 'wallet';

/** A customer of the run, with what the dashboard must show them. */
export interface DashboardCustomer {
  userId: string;
  accounts: Record<AccountRef, { id: string; currency: CurrencyCode }>;
  /** Each account's posted balance as the history written so far leaves it. */
  balances: Map<string, bigint>;
  /** Each account's transfers, oldest first, in the order the ledger wrote them. */
  transfers: Map<string, string[]>;
}

/** What a history pass wrote. */
export interface HistoryPass {
  transfers: number;
  /** Transfers left out because the account could not cover them (deterministic: the same every run). */
  skipped: number;
  /** Rows insights' read model gets from them: one per customer account a transfer moves. */
  readModelRows: number;
  seconds: number;
}

const settingsEnv = (settings: StackSettings) => ({ ...sharedEnv(settings), LOG_LEVEL: 'error', MIGRATE_ON_START: 'true', LEDGER_WORKERS: 'false', IDENTITY_WORKERS: 'false' });

async function openBanking(settings: StackSettings): Promise<BankingServer> {
  return createBankingServer(loadBankingConfig({ ...settingsEnv(settings), ...roleEnv('banking', settings, {}) }), { databaseUrl: settings.databaseUrl });
}

/** Migrates every schema, registers `count` customers and opens their accounts; `progress` hears what is done. */
export async function createCustomers(settings: StackSettings, count: number, progress: (line: string) => void): Promise<DashboardCustomer[]> {
  const databaseUrl = settings.databaseUrl;
  for (const create of [createKycDataSource, createPaymentsDataSource, createInsightsDataSource]) {
    const dataSource = create(databaseUrl, 2);
    await initializeDataSource(dataSource, true);
    await closeDataSource(dataSource);
  }
  const identity = await createIdentityServer(loadIdentityConfig({ ...settingsEnv(settings), ...roleEnv('identity', settings, {}) }), { databaseUrl });
  const banking = await openBanking(settings);
  try {
    const emailOf = (i: number) => `bench.customer.${i}@example.com`;
    const template = await identity.accounts.register({ email: emailOf(0), password: PASSWORD, displayName: 'Bench Customer 0' }, ORIGIN);
    const userIds = [template.id, ...(await copyCustomer(identity, template.id, count - 1, (i) => emailOf(i + 1)))];
    const customers: DashboardCustomer[] = new Array(userIds.length);
    await inPool(userIds, 8, async (userId, i) => {
      const open = async (type: 'CURRENT' | 'SAVINGS' | 'WALLET', currency: CurrencyCode) => ({ id: (await banking.accounts.openAccount({ ownerId: userId, type, currency })).id, currency });
      const accounts = { current: await open('CURRENT', 'GBP'), savings: await open('SAVINGS', 'GBP'), wallet: await open('WALLET', 'EUR') };
      const ids = Object.values(accounts).map((a) => a.id);
      customers[i] = { userId, accounts, balances: new Map(ids.map((id) => [id, 0n])), transfers: new Map(ids.map((id) => [id, []])) };
    });
    progress(`registered ${customers.length} customers (1 through identity, the others copied) with a current, a savings and a EUR wallet account each`);
    return customers;
  } finally {
    await banking.close();
    await identity.close();
  }
}

/** The steps of a customer's year that pass 1 or 2 writes. */
function stepsOf(index: number, pass: 1 | 2, until: Date): DemoStep[] {
  const { steps } = planDemoHistory(SEED + index, until);
  const year = steps.slice(OPENING_STEPS);
  const lastTenth = Math.round(steps.length / 10) - OPENING_STEPS;
  const opening = steps.slice(0, OPENING_STEPS).map((step) => (step.kind === 'transfer' ? { ...step, amount: step.amount * OPENING_FACTOR } : step));
  return pass === 1 ? [...opening, ...year.slice(year.length - lastTenth)] : year.slice(0, year.length - lastTenth);
}

/**
 * Writes history pass `pass` for `customers` through the ledger, each customer's transfers one
 * after another (so their order is known) and customers side by side. `between(written)` runs
 * after every group of customers, so the caller can let insights catch up before more events
 * are published (the event streams keep a bounded number of entries).
 */
export async function writeHistory(
  settings: StackSettings,
  customers: DashboardCustomer[],
  pass: 1 | 2,
  options: { until: Date; group: number; between?: (readModelRows: number) => Promise<void>; progress: (line: string) => void },
): Promise<HistoryPass> {
  const banking = await openBanking(settings);
  const started = performance.now();
  const result: HistoryPass = { transfers: 0, skipped: 0, readModelRows: 0, seconds: 0 };
  try {
    const system = {
      clearing: { GBP: await banking.accounts.systemAccount('CLEARING', 'GBP'), EUR: await banking.accounts.systemAccount('CLEARING', 'EUR') },
      fees: await banking.accounts.systemAccount('FEES', 'GBP'),
    };
    const accountOf = (customer: DashboardCustomer, ref: DemoAccountRef, currency: CurrencyCode): string =>
      ref === 'clearing' ? system.clearing[currency as 'GBP' | 'EUR'].id : ref === 'fees' ? system.fees.id : customer.accounts[ref].id;
    const write = async (customer: DashboardCustomer, index: number) => {
      for (const step of stepsOf(index, pass, options.until)) {
        // A wallet top-up without an FX quote comes from EUR clearing, as the demo seed writes it then.
        const s =
          step.kind === 'transfer'
            ? step
            : { ...step, code: 'INCOMING_PAYMENT', description: 'Lucía Fernández', category: 'transfer_in', mcc: undefined, from: 'clearing' as const, to: 'wallet' as const, amount: step.fallbackAmount, currency: 'EUR' as const };
        const from = accountOf(customer, s.from, s.currency);
        const to = accountOf(customer, s.to, s.currency);
        if (customer.balances.has(from) && customer.balances.get(from)! < s.amount) {
          result.skipped += 1;
          continue;
        }
        const transfer = await banking.ledger.createTransfer({
          id: uuidv7(),
          code: s.code,
          description: s.description,
          metadata: { source: 'bench', bookedAt: s.bookedAt.toISOString(), category: s.category, ...(s.mcc ? { mcc: s.mcc } : {}) },
          postings: [
            { accountId: from, direction: 'DEBIT', amount: s.amount, currency: s.currency },
            { accountId: to, direction: 'CREDIT', amount: s.amount, currency: s.currency },
          ],
        });
        for (const [accountId, signed] of [[from, -s.amount], [to, s.amount]] as const) {
          if (!customer.balances.has(accountId)) continue;
          customer.balances.set(accountId, customer.balances.get(accountId)! + signed);
          customer.transfers.get(accountId)!.push(transfer.id);
          result.readModelRows += 1;
        }
        result.transfers += 1;
      }
    };
    for (let start = 0; start < customers.length; start += options.group) {
      const group = customers.slice(start, start + options.group);
      // Enough customers at once for the ledger's group commit to fill its batches.
      await inPool(group, 32, (customer, i) => write(customer, start + i));
      options.progress(`pass ${pass}: ${result.transfers} transfers for ${Math.min(start + options.group, customers.length)} of ${customers.length} customers`);
      await options.between?.(result.readModelRows);
    }
  } finally {
    await banking.close();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
