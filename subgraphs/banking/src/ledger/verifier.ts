import type { DataSource } from 'typeorm';
import { GENESIS_HASH } from './hash-chain';
import { verifyAccounts } from './verify-accounts';
import { verifyChain } from './verify-chain';
import { MismatchFound } from './verify-support';

/** What a mismatch is about. */
export type LedgerMismatchKind =
  /** A transfer's seq is not the one after its predecessor's (a gap, or a transfer removed). */
  | 'CHAIN_SEQUENCE'
  /** A transfer's prev_hash is not its predecessor's hash. */
  | 'CHAIN_LINK'
  /** A transfer's content (or one of its postings) no longer hashes to its stored hash. */
  | 'CHAIN_HASH'
  /** banking.ledger_head disagrees with the last transfer of the chain. */
  | 'CHAIN_HEAD'
  /** A committed transfer without a chain position. */
  | 'UNCHAINED_TRANSFER'
  /** A transfer whose debits and credits differ in a currency. */
  | 'UNBALANCED_TRANSFER'
  /** A posting that contradicts its transfer or account (pending flag, currency, missing account). */
  | 'POSTING'
  /** A posting's balance_after is not the running posted balance of its account. */
  | 'BALANCE_AFTER'
  /** An account's stored counter differs from the sum of its postings. */
  | 'COUNTER'
  /** The balances of a currency do not sum to zero. */
  | 'CURRENCY_TOTAL'
  /** A customer account is below its overdraft limit. */
  | 'LIMIT';

/** The first disagreement found, with where it is and what was expected. */
export interface LedgerMismatch {
  kind: LedgerMismatchKind;
  transferId?: string;
  seq?: bigint;
  accountId?: string;
  postingId?: string;
  currency?: string;
  /** The column or counter that disagrees, e.g. `hash`, `debits_posted`. */
  field?: string;
  /** What recomputing from the postings and the chain gives. */
  expected: string;
  /** What is stored. */
  found: string;
  message: string;
}

/** The outcome of {@link LedgerVerifier.verify}. */
export interface LedgerVerificationReport {
  ok: boolean;
  /** Chained transfers checked. */
  transfers: number;
  /** Postings checked (each is read twice: for the chain and for its account). */
  postings: number;
  accounts: number;
  /** The stored chain head. */
  head: { seq: bigint; hash: string };
  /** Sum of all posted balances per currency; zero in a sound ledger. */
  totals: Record<string, bigint>;
  /** The first mismatch; verification stops there. Null when the ledger verifies. */
  mismatch: LedgerMismatch | null;
  durationMs: number;
}

/** Options for {@link LedgerVerifier.verify}. */
export interface LedgerVerifyOptions {
  /** Rows fetched per round trip from each cursor. Default 2,000. */
  batchSize?: number;
}

/**
 * Recomputes the ledger from its postings and checks it against what is stored:
 * the hash chain (in seq order, with the same canonical content as appending used),
 * the chain head, every account's four counters and its postings' running
 * balances, zero-sum currencies and customer limits. It reads one
 * REPEATABLE READ snapshot through cursors, so it can run beside live traffic
 * and on ledgers larger than memory, and reports the first mismatch.
 */
export class LedgerVerifier {
  constructor(private readonly db: DataSource) {}

  /** Verifies the whole ledger; never throws for a mismatch, only for database errors. */
  async verify(options: LedgerVerifyOptions = {}): Promise<LedgerVerificationReport> {
    const batchSize = options.batchSize ?? 2_000;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
    const started = performance.now();
    const report: LedgerVerificationReport = {
      ok: false,
      transfers: 0,
      postings: 0,
      accounts: 0,
      head: { seq: 0n, hash: GENESIS_HASH },
      totals: {},
      mismatch: null,
      durationMs: 0,
    };
    try {
      await this.db.transaction('REPEATABLE READ', async (m) => {
        await m.query('SET TRANSACTION READ ONLY');
        await verifyChain(m, report, batchSize);
        await verifyAccounts(m, report, batchSize);
      });
      report.ok = true;
    } catch (err) {
      if (!(err instanceof MismatchFound)) throw err;
      report.mismatch = err.mismatch;
    }
    report.durationMs = Math.round(performance.now() - started);
    return report;
  }
}
