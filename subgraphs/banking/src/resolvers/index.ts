import { DateTimeScalar, errors, requireUser, type SubgraphContext } from '@meridian/platform';
import type { Resolvers } from '../__generated__/resolvers-types';
import { balanceOf, type AccountRecord } from '../domain/account';
import type { CurrencyCode } from '../domain/currency';
import { formatDecimal, type Money } from '../domain/money';
import { encodeCursor, pageRequest } from '../domain/transaction';
import type { TransferRecord } from '../domain/transfer';
import type { AccountAccess } from '../services/account-access';
import type { AccountService } from '../services/account-service';
import type { CustomerAccountService } from '../services/customer-account-service';
import type { OwnTransferService } from '../services/own-transfer-service';
import type { TransactionHistory } from '../services/transaction-history';
import { DecimalScalar } from './decimal-scalar';
import { loadersFor } from './loaders';

/** Services the resolvers call. */
export interface BankingServices {
  accounts: AccountService;
  access: AccountAccess;
  history: TransactionHistory;
  customerAccounts: CustomerAccountService;
  ownTransfers: OwnTransferService;
  /** Transfers with their postings by id, null where missing. */
  transfers(ids: readonly string[]): Promise<(TransferRecord | null)[]>;
}

const money = (amount: bigint, currency: CurrencyCode): Money => ({ amount, currency });

/** The leg of a two-posting transfer on the given side. */
function leg(transfer: TransferRecord, direction: 'DEBIT' | 'CREDIT') {
  const posting = transfer.postings.find((p) => p.direction === direction);
  if (!posting) throw new Error(`Transfer ${transfer.id} has no ${direction} posting`);
  return posting;
}

/** Thin resolvers: arguments in, one service or loader call, result out. */
export function createResolvers(services: BankingServices): Resolvers {
  const loaders = (ctx: SubgraphContext) => loadersFor(ctx, services);
  const readable = async (ctx: SubgraphContext, id: string, operation: string): Promise<AccountRecord | null> => {
    requireUser(ctx);
    return loaders(ctx).readableAccount(operation).load(id);
  };

  return {
    DateTime: DateTimeScalar,
    Decimal: DecimalScalar,
    Query: {
      account: async (_parent, { id }, ctx) => {
        const account = await readable(ctx, id, 'Query.account');
        if (!account) throw errors.notFound('Account not found.');
        return account;
      },
    },
    Mutation: {
      openAccount: (_parent, { input }, ctx) => services.customerAccounts.open(requireUser(ctx), input),
      closeAccount: (_parent, { id }, ctx) => services.customerAccounts.close(requireUser(ctx), id),
      transferBetweenOwnAccounts: (_parent, { input }, ctx) => services.ownTransfers.transfer(requireUser(ctx), input),
    },
    User: {
      accounts: async (user, { includeClosed }, ctx) => {
        const viewer = requireUser(ctx);
        const all = await loaders(ctx).accountsByOwner.load(user.id);
        const listed = includeClosed ? all : all.filter((a) => a.status !== 'CLOSED');
        return services.access.accountsOf(viewer, user.id, listed, 'User.accounts', ctx.requestId);
      },
    },
    Account: {
      __resolveReference: (reference, ctx) => readable(ctx, reference.id, 'Account.reference'),
      overdraftLimit: (account) => money(account.overdraftLimit, account.currency),
      owner: (account) => ({ id: account.ownerId! }),
      balance: (account) => account,
      balanceAt: async (account, { time }, ctx) =>
        money(await loaders(ctx).balanceAt.load({ accountId: account.id, at: time }), account.currency),
      transactions: (account, args, ctx) => loaders(ctx).transactions.load(pageRequest(account.id, args)),
    },
    Balance: {
      posted: (account) => money(balanceOf(account).posted, account.currency),
      pending: (account) => money(balanceOf(account).pending, account.currency),
      available: (account) => money(balanceOf(account).available, account.currency),
    },
    Money: {
      amount: (m) => formatDecimal(m.amount, m.currency),
    },
    TransactionConnection: {
      edges: (page) => page.items.map((node) => ({ cursor: encodeCursor(node.id), node })),
      pageInfo: (page) => ({
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.items.length ? encodeCursor(page.items[0].id) : null,
        endCursor: page.items.length ? encodeCursor(page.items[page.items.length - 1].id) : null,
      }),
    },
    Transaction: {
      amount: (t) => money(t.amount, t.currency),
      balanceAfter: (t) => (t.balanceAfter === null ? null : money(t.balanceAfter, t.currency)),
    },
    Transfer: {
      // Visible to whoever may read one of its accounts (staff reads audited); to anyone else it does not exist.
      __resolveReference: async (reference, ctx) => {
        const transfer = await loaders(ctx).transferById.load(reference.id);
        if (!transfer) return null;
        const accountIds = [...new Set(transfer.postings.map((p) => p.accountId))];
        const seen = await Promise.all(accountIds.map((id) => readable(ctx, id, 'Transfer.reference')));
        return seen.some((account) => account !== null) ? transfer : null;
      },
      amount: (t) => {
        const debit = leg(t, 'DEBIT');
        return money(debit.amount, debit.currency);
      },
      fromAccount: (t, _args, ctx) => readable(ctx, leg(t, 'DEBIT').accountId, 'Transfer.fromAccount'),
      toAccount: (t, _args, ctx) => readable(ctx, leg(t, 'CREDIT').accountId, 'Transfer.toAccount'),
    },
  };
}
