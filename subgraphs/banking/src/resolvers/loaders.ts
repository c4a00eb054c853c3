import { requireUser, type SubgraphContext } from '@meridian/platform';
import DataLoader from 'dataloader';
import type { AccountRecord } from '../domain/account';
import type { TransferRecord } from '../domain/transfer';
import type { TransactionPage, TransactionPageRequest } from '../domain/transaction';
import type { AccountAccess } from '../services/account-access';
import type { AccountService } from '../services/account-service';
import type { BalanceAtRequest, TransactionHistory } from '../services/transaction-history';

/** Services the loaders batch over. */
export interface LoaderServices {
  accounts: AccountService;
  /** Transfers with their postings by id, null where missing. */
  transfers(ids: readonly string[]): Promise<(TransferRecord | null)[]>;
  access: AccountAccess;
  history: TransactionHistory;
}

/** One request's loaders: each turns the look-ups of one tick into one SQL statement. */
export interface BankingLoaders {
  /** Accounts by id, whoever owns them (the caller checks access). */
  accountById: DataLoader<string, AccountRecord | null>;
  /** Every account of each owner, oldest first. */
  accountsByOwner: DataLoader<string, AccountRecord[]>;
  /** Accounts by id as the viewer may read them (null otherwise), staff reads audited under `operation`. */
  readableAccount(operation: string): DataLoader<string, AccountRecord | null>;
  /** Transfers by id, whoever's they are (the caller checks access). */
  transferById: DataLoader<string, TransferRecord | null>;
  /** Transaction pages, many accounts in one statement. */
  transactions: DataLoader<TransactionPageRequest, TransactionPage, string>;
  /** Posted balances as of past instants, many accounts in one statement. */
  balanceAt: DataLoader<BalanceAtRequest, bigint, string>;
}

const MAX_BATCH = 500;

// One set per request, keyed by the request's context object, so nothing is cached across users.
const perRequest = new WeakMap<SubgraphContext, BankingLoaders>();

/** The request's loaders, created on first use. */
export function loadersFor(ctx: SubgraphContext, services: LoaderServices): BankingLoaders {
  let loaders = perRequest.get(ctx);
  if (loaders) return loaders;
  const accountById = new DataLoader<string, AccountRecord | null>((ids) => services.accounts.findByIds(ids), { maxBatchSize: MAX_BATCH });
  const accountsByOwner = new DataLoader<string, AccountRecord[]>(
    async (owners) => {
      const lists = await services.accounts.findByOwners(owners);
      for (const account of lists.flat()) accountById.prime(account.id, account);
      return lists;
    },
    { maxBatchSize: MAX_BATCH },
  );
  const readable = new Map<string, DataLoader<string, AccountRecord | null>>();
  loaders = {
    accountById,
    accountsByOwner,
    readableAccount(operation) {
      let loader = readable.get(operation);
      if (!loader) {
        loader = new DataLoader(
          async (ids) => services.access.readable(requireUser(ctx), await loadAll(accountById, ids), operation, ctx.requestId),
          { maxBatchSize: MAX_BATCH },
        );
        readable.set(operation, loader);
      }
      return loader;
    },
    transferById: new DataLoader((ids) => services.transfers(ids), { maxBatchSize: MAX_BATCH }),
    transactions: new DataLoader((requests) => services.history.pages(requests), {
      maxBatchSize: MAX_BATCH,
      cacheKeyFn: (r) => JSON.stringify([r.accountId, r.first, r.beforeId, r.from?.getTime() ?? null, r.to?.getTime() ?? null, r.search]),
    }),
    balanceAt: new DataLoader((requests) => services.history.balancesAt(requests), {
      maxBatchSize: MAX_BATCH,
      cacheKeyFn: (r) => `${r.accountId}@${r.at.getTime()}`,
    }),
  };
  perRequest.set(ctx, loaders);
  return loaders;
}

async function loadAll(loader: DataLoader<string, AccountRecord | null>, ids: readonly string[]): Promise<(AccountRecord | null)[]> {
  const results = await loader.loadMany(ids);
  return results.map((r) => {
    if (r instanceof Error) throw r;
    return r;
  });
}
