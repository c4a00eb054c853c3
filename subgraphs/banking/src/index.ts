export * from './domain/account';
export * from './domain/account-number';
export * from './domain/currency';
export * from './domain/money';
export * from './domain/transfer';
export { createBankingDataSource, BANKING_SCHEMA, DEFAULT_LEDGER_TIMEOUTS, type LedgerTimeouts } from './data/data-source';
export { AccountService, type OpenAccountInput } from './services/account-service';
export * from './ledger';
export * from './config';
export * from './server';
export { AccessAuditLog, BANKING_ACCESS_AUDIT_LOG, type AccessAuditEntry } from './services/access-audit-log';
export { AccountAccess } from './services/account-access';
export { CustomerAccountService, type CustomerOpenAccountInput } from './services/customer-account-service';
export { OwnTransferService, OWN_TRANSFER_CODE, type OwnTransferRequest } from './services/own-transfer-service';
export { TransactionHistory, type BalanceAtRequest } from './services/transaction-history';
export * from './domain/transaction';
export * from './domain/account-access';
export * from './domain/fx';
export { FxService, type FxQuote, type FxQuoteRequest, type FxConvertRequest, type FxConversion, type FxServiceOptions } from './services/fx-service';
export { createExpirySweeper, type ExpirySweeper, type ExpirySweeperOptions } from './services/expiry-sweeper';
export {
  createLedgerVerification,
  type LedgerVerification,
  type LedgerVerificationOptions,
  type LedgerVerificationPass,
} from './services/ledger-verification';
export { seedDemoBanking, DEMO_SEED, type SeedDemoBankingOptions, type DemoBankingSeed } from './seed/demo-banking';
export { planDemoHistory, mulberry32, type DemoStep, type DemoAccountRef } from './seed/demo-history';
