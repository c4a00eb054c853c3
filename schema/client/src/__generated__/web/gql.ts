/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment MoneyFields on Money {\n  amount\n  currency\n}\n\nfragment AccountSummary on Account {\n  id\n  number\n  type\n  currency\n  name\n  status\n  openedAt\n  balance {\n    posted {\n      ...MoneyFields\n    }\n    pending {\n      ...MoneyFields\n    }\n    available {\n      ...MoneyFields\n    }\n  }\n}\n\nquery Accounts($includeClosed: Boolean = false) {\n  me {\n    id\n    accounts(includeClosed: $includeClosed) {\n      ...AccountSummary\n    }\n  }\n}\n\nquery AccountTransactions($accountId: ID!, $first: Int = 20, $after: String, $from: DateTime, $to: DateTime) {\n  account(id: $accountId) {\n    id\n    currency\n    transactions(first: $first, after: $after, from: $from, to: $to) {\n      edges {\n        cursor\n        node {\n          id\n          transferId\n          direction\n          amount {\n            ...MoneyFields\n          }\n          balanceAfter {\n            ...MoneyFields\n          }\n          status\n          code\n          description\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nmutation OpenAccount($input: OpenAccountInput!) {\n  openAccount(input: $input) {\n    ...AccountSummary\n  }\n}\n\nmutation CloseAccount($id: ID!) {\n  closeAccount(id: $id) {\n    id\n    status\n    closedAt\n  }\n}\n\nmutation TransferBetweenOwnAccounts($input: OwnTransferInput!) {\n  transferBetweenOwnAccounts(input: $input) {\n    id\n    status\n    code\n    description\n    createdAt\n    amount {\n      ...MoneyFields\n    }\n    fromAccount {\n      id\n      balance {\n        available {\n          ...MoneyFields\n        }\n      }\n    }\n    toAccount {\n      id\n      balance {\n        available {\n          ...MoneyFields\n        }\n      }\n    }\n  }\n}": typeof types.MoneyFieldsFragmentDoc,
    "query Me {\n  me {\n    id\n    email\n    phone\n    displayName\n    roles\n    status\n    createdAt\n  }\n}": typeof types.MeDocument,
    "mutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    id\n    email\n    displayName\n  }\n}\n\nquery Sessions {\n  me {\n    id\n    sessions {\n      id\n      deviceId\n      userAgent\n      createdAt\n      lastActiveAt\n      expiresAt\n      current\n    }\n  }\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}": typeof types.RegisterDocument,
};
const documents: Documents = {
    "fragment MoneyFields on Money {\n  amount\n  currency\n}\n\nfragment AccountSummary on Account {\n  id\n  number\n  type\n  currency\n  name\n  status\n  openedAt\n  balance {\n    posted {\n      ...MoneyFields\n    }\n    pending {\n      ...MoneyFields\n    }\n    available {\n      ...MoneyFields\n    }\n  }\n}\n\nquery Accounts($includeClosed: Boolean = false) {\n  me {\n    id\n    accounts(includeClosed: $includeClosed) {\n      ...AccountSummary\n    }\n  }\n}\n\nquery AccountTransactions($accountId: ID!, $first: Int = 20, $after: String, $from: DateTime, $to: DateTime) {\n  account(id: $accountId) {\n    id\n    currency\n    transactions(first: $first, after: $after, from: $from, to: $to) {\n      edges {\n        cursor\n        node {\n          id\n          transferId\n          direction\n          amount {\n            ...MoneyFields\n          }\n          balanceAfter {\n            ...MoneyFields\n          }\n          status\n          code\n          description\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nmutation OpenAccount($input: OpenAccountInput!) {\n  openAccount(input: $input) {\n    ...AccountSummary\n  }\n}\n\nmutation CloseAccount($id: ID!) {\n  closeAccount(id: $id) {\n    id\n    status\n    closedAt\n  }\n}\n\nmutation TransferBetweenOwnAccounts($input: OwnTransferInput!) {\n  transferBetweenOwnAccounts(input: $input) {\n    id\n    status\n    code\n    description\n    createdAt\n    amount {\n      ...MoneyFields\n    }\n    fromAccount {\n      id\n      balance {\n        available {\n          ...MoneyFields\n        }\n      }\n    }\n    toAccount {\n      id\n      balance {\n        available {\n          ...MoneyFields\n        }\n      }\n    }\n  }\n}": types.MoneyFieldsFragmentDoc,
    "query Me {\n  me {\n    id\n    email\n    phone\n    displayName\n    roles\n    status\n    createdAt\n  }\n}": types.MeDocument,
    "mutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    id\n    email\n    displayName\n  }\n}\n\nquery Sessions {\n  me {\n    id\n    sessions {\n      id\n      deviceId\n      userAgent\n      createdAt\n      lastActiveAt\n      expiresAt\n      current\n    }\n  }\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}": types.RegisterDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment MoneyFields on Money {\n  amount\n  currency\n}\n\nfragment AccountSummary on Account {\n  id\n  number\n  type\n  currency\n  name\n  status\n  openedAt\n  balance {\n    posted {\n      ...MoneyFields\n    }\n    pending {\n      ...MoneyFields\n    }\n    available {\n      ...MoneyFields\n    }\n  }\n}\n\nquery Accounts($includeClosed: Boolean = false) {\n  me {\n    id\n    accounts(includeClosed: $includeClosed) {\n      ...AccountSummary\n    }\n  }\n}\n\nquery AccountTransactions($accountId: ID!, $first: Int = 20, $after: String, $from: DateTime, $to: DateTime) {\n  account(id: $accountId) {\n    id\n    currency\n    transactions(first: $first, after: $after, from: $from, to: $to) {\n      edges {\n        cursor\n        node {\n          id\n          transferId\n          direction\n          amount {\n            ...MoneyFields\n          }\n          balanceAfter {\n            ...MoneyFields\n          }\n          status\n          code\n          description\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nmutation OpenAccount($input: OpenAccountInput!) {\n  openAccount(input: $input) {\n    ...AccountSummary\n  }\n}\n\nmutation CloseAccount($id: ID!) {\n  closeAccount(id: $id) {\n    id\n    status\n    closedAt\n  }\n}\n\nmutation TransferBetweenOwnAccounts($input: OwnTransferInput!) {\n  transferBetweenOwnAccounts(input: $input) {\n    id\n    status\n    code\n    description\n    createdAt\n    amount {\n      ...MoneyFields\n    }\n    fromAccount {\n      id\n      balance {\n        available {\n          ...MoneyFields\n        }\n      }\n    }\n    toAccount {\n      id\n      balance {\n        available {\n          ...MoneyFields\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql').MoneyFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    email\n    phone\n    displayName\n    roles\n    status\n    createdAt\n  }\n}"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    id\n    email\n    displayName\n  }\n}\n\nquery Sessions {\n  me {\n    id\n    sessions {\n      id\n      deviceId\n      userAgent\n      createdAt\n      lastActiveAt\n      expiresAt\n      current\n    }\n  }\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}"): typeof import('./graphql').RegisterDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
