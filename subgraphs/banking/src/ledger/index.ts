// The ledger's public surface: what services, the internal API, scripts and benchmarks use.
// Batch planning, the forecast, the writer and group commit stay inside this folder.
export { LedgerService, type LedgerServiceOptions, type ResolvePendingInput } from './ledger-service';
export { createLedgerMetrics, type LedgerMetrics, type LedgerWriteKind } from './ledger-metrics';
export {
  LedgerVerifier,
  type LedgerMismatch,
  type LedgerMismatchKind,
  type LedgerVerificationReport,
  type LedgerVerifyOptions,
} from './verifier';
export { chainHash, chainedJson, GENESIS_HASH, type ChainedContent } from './hash-chain';
