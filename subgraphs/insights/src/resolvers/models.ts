import type { KnownAccount } from '../services/accounts';

export type { AlertPage } from '../services/alert-store';

/** The parent of `User.insights`'s fields: whose insights they are. */
export interface UserInsightsModel {
  userId: string;
}

/** The parent of `Account.insights`'s fields: the account, its owner checked. */
export interface AccountInsightsModel {
  account: KnownAccount;
}

/** A transaction as insights resolves it: its row in the read model, or only its key when insights has not seen it. */
export interface TransactionModel {
  transferId: string;
  accountId: string;
  category: string | null;
  categorySource: string | null;
  merchantKey: string | null;
  merchantName: string | null;
}

/** A user named by another subgraph. */
export interface UserReference {
  id: string;
}

/** An account named by another subgraph. */
export interface AccountReference {
  id: string;
}
