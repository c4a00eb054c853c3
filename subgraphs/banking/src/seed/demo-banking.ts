import { createHash } from 'node:crypto';
import { DomainError, ErrorCode } from '@meridian/platform';
import type { AccountRecord, CustomerAccountType } from '../domain/account';
import type { CurrencyCode } from '../domain/currency';
import { fxTransferIdFor } from '../domain/fx';
import type { TransferRecord } from '../domain/transfer';
import type { AccountService } from '../services/account-service';
import type { FxService } from '../services/fx-service';
import type { LedgerService } from '../ledger';
import { planDemoHistory, type DemoAccountRef, type DemoStep } from './demo-history';

/** The fixed seed of the demo history. */
export const DEMO_SEED = 20_250_101;

/** What {@link seedDemoBanking} needs. */
export interface SeedDemoBankingOptions {
  accounts: AccountService;
  ledger: LedgerService;
  /** The demo user's id (identity's). */
  ownerId: string;
  /** Converts wallet top-ups through FX quotes; without it the wallet is topped up from EUR clearing. */
  fx?: FxService;
  /** Last day of the history; default today. A later run keeps the end the first run recorded. */
  now?: Date;
  /** PRNG seed; default {@link DEMO_SEED}. */
  seed?: number;
}

/** What a seeding run found or wrote. */
export interface DemoBankingSeed {
  accounts: { current: AccountRecord; savings: AccountRecord; wallet: AccountRecord };
  from: Date;
  until: Date;
  /** Steps of the plan. */
  planned: number;
  /** Transfers this run wrote (0 on a second run). */
  created: number;
  /** Steps this run left out because the account could not cover them. */
  skipped: number;
  /** True when an earlier run had already written the whole history. */
  complete: boolean;
}

const DEMO_ACCOUNTS: { ref: 'current' | 'savings' | 'wallet'; type: CustomerAccountType; currency: CurrencyCode; name: string }[] = [
  { ref: 'current', type: 'CURRENT', currency: 'GBP', name: 'Current account' },
  { ref: 'savings', type: 'SAVINGS', currency: 'GBP', name: 'Savings' },
  { ref: 'wallet', type: 'WALLET', currency: 'EUR', name: 'Euro wallet' },
];

/**
 * Gives the demo user a current, a savings and a euro wallet account with a year
 * of history from a fixed-seed PRNG. Idempotent: every transfer id derives from the
 * seed, the owner and the step, and the first transfer records the end of the
 * history, so a later run (even on another day, or after a crash halfway) plans the
 * same steps and only writes what is missing. Never overdraws: a step the account
 * cannot cover is left out, which is deterministic too.
 *
 * The ledger stamps transfers with the time they are written, so the real date of
 * each step travels in `metadata.bookedAt`.
 */
export async function seedDemoBanking(options: SeedDemoBankingOptions): Promise<DemoBankingSeed> {
  const { ledger, ownerId } = options;
  const seed = options.seed ?? DEMO_SEED;
  const accounts = await demoAccounts(options.accounts, ownerId);
  const idFor = (key: string) => derivedUuid(`meridian:demo-banking:${seed}:${ownerId}:${key}`);

  // The first step (the opening balance, under a date-free key) records the end of the history.
  const opening = await ledger.getTransfer(idFor('opening'));
  const recorded = typeof opening?.metadata.seededUntil === 'string' ? new Date(opening.metadata.seededUntil) : null;
  const until = recorded ?? options.now ?? new Date();
  const { from, steps } = planDemoHistory(seed, until);
  const stepId = (step: DemoStep) =>
    step.kind === 'wallet-top-up' && options.fx ? fxTransferIdFor(idFor(`${step.key}:quote`)) : idFor(step.key);

  const result: DemoBankingSeed = { accounts, from, until, planned: steps.length, created: 0, skipped: 0, complete: false };
  // Fast path: the last step is written last and cannot fail, so when it exists every step before it was done.
  if (await ledger.getTransfer(stepId(steps[steps.length - 1]))) return { ...result, complete: true };

  const system = new Map<string, AccountRecord>();
  const resolve = async (ref: DemoAccountRef, currency: CurrencyCode): Promise<AccountRecord> => {
    if (ref === 'current' || ref === 'savings' || ref === 'wallet') return accounts[ref];
    const type = ref === 'clearing' ? 'CLEARING' : 'FEES';
    const key = `${type}:${currency}`;
    if (!system.has(key)) system.set(key, await options.accounts.systemAccount(type, currency));
    return system.get(key)!;
  };
  // Balances of the three accounts as the seed alone moves them: deciding with these keeps
  // a rerun's decisions identical even if the user has spent money since.
  const balance = { current: 0n, savings: 0n, wallet: 0n } as Record<string, bigint>;
  const apply = (transfer: TransferRecord) => {
    for (const p of transfer.postings) {
      const ref = DEMO_ACCOUNTS.find((a) => accounts[a.ref].id === p.accountId)?.ref;
      if (ref) balance[ref] += p.direction === 'CREDIT' ? p.amount : -p.amount;
    }
  };

  for (const step of steps) {
    const id = stepId(step);
    const existing = await ledger.getTransfer(id);
    if (existing) {
      apply(existing);
      continue;
    }
    const debited = step.kind === 'wallet-top-up' ? (options.fx ? 'current' : null) : step.from;
    const amount = step.kind === 'wallet-top-up' ? step.sellAmount : step.amount;
    if (debited && debited in balance && balance[debited] < amount) {
      result.skipped += 1;
      continue;
    }
    const bookedAt = step.bookedAt.toISOString();
    try {
      let transfer: TransferRecord;
      if (step.kind === 'wallet-top-up' && options.fx) {
        // Quoted and converted at the booking time, so the rate is the one of that day.
        const fx = options.fx.withClock(() => step.bookedAt);
        const quote = await fx.quote({ id: idFor(`${step.key}:quote`), ownerId, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: step.sellAmount });
        ({ transfer } = await fx.convert({ quoteId: quote.id, ownerId, fromAccountId: accounts.current.id, toAccountId: accounts.wallet.id }));
      } else {
        const s: Extract<DemoStep, { kind: 'transfer' }> =
          step.kind === 'transfer'
            ? step
            : { ...step, kind: 'transfer', code: 'INCOMING_PAYMENT', description: 'Lucía Fernández', category: 'transfer_in', from: 'clearing', to: 'wallet', amount: step.fallbackAmount, currency: 'EUR' };
        const [fromAccount, toAccount] = [await resolve(s.from, s.currency), await resolve(s.to, s.currency)];
        transfer = await ledger.createTransfer({
          id,
          code: s.code,
          description: s.description,
          metadata: {
            source: 'demo-seed',
            bookedAt,
            category: s.category,
            ...(s.mcc ? { mcc: s.mcc } : {}),
            ...(step.key === 'opening' ? { seededUntil: until.toISOString(), seed } : {}),
          },
          postings: [
            { accountId: fromAccount.id, direction: 'DEBIT', amount: s.amount, currency: s.currency },
            { accountId: toAccount.id, direction: 'CREDIT', amount: s.amount, currency: s.currency },
          ],
        });
      }
      apply(transfer);
      result.created += 1;
    } catch (err) {
      // Only reachable when the user spent the money since an interrupted run: leave the step out.
      if (err instanceof DomainError && err.code === ErrorCode.INSUFFICIENT_FUNDS) {
        result.skipped += 1;
        continue;
      }
      throw err;
    }
  }
  return { ...result, complete: true };
}

/** The demo user's three accounts: the oldest active one of each kind, opened when missing. */
async function demoAccounts(service: AccountService, ownerId: string): Promise<DemoBankingSeed['accounts']> {
  const [owned] = await service.findByOwners([ownerId]);
  const found = {} as DemoBankingSeed['accounts'];
  for (const spec of DEMO_ACCOUNTS) {
    found[spec.ref] =
      owned.find((a) => a.type === spec.type && a.currency === spec.currency && a.status === 'ACTIVE') ??
      (await service.openAccount({ ownerId, type: spec.type, currency: spec.currency, name: spec.name }));
  }
  return found;
}

/** A UUID derived from a name (SHA-256, version 8), so a seed run can find what an earlier one wrote. */
function derivedUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
