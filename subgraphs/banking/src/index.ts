export * from './domain/account';
export * from './domain/account-number';
export * from './domain/currency';
export * from './domain/money';
export * from './domain/transfer';
export * from './domain/hash-chain';
export { createBankingDataSource, BANKING_SCHEMA } from './data/data-source';
export { AccountService, type OpenAccountInput } from './services/account-service';
export { LedgerService, type ResolvePendingInput } from './services/ledger-service';
