import type { DataSource, EntityManager } from 'typeorm';
import { chainHash, GENESIS_HASH } from './hash-chain';

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

type Row = Record<string, unknown>;

/** Mismatch found: thrown inside the snapshot transaction and turned into the report. */
class MismatchFound extends Error {
  constructor(readonly mismatch: LedgerMismatch) {
    super(mismatch.message);
  }
}

/** Reads a server-side cursor in batches, one row at a time. */
class CursorReader {
  private rows: Row[] = [];
  private index = 0;
  private done = false;

  constructor(
    private readonly m: EntityManager,
    private readonly name: string,
    private readonly batchSize: number,
  ) {}

  async peek(): Promise<Row | undefined> {
    if (this.index < this.rows.length) return this.rows[this.index];
    if (this.done) return undefined;
    this.rows = await this.m.query(`FETCH ${this.batchSize} FROM ${this.name}`);
    this.index = 0;
    if (this.rows.length < this.batchSize) this.done = true;
    return this.rows[0];
  }

  async next(): Promise<Row | undefined> {
    const row = await this.peek();
    if (row) this.index += 1;
    return row;
  }
}

const big = (value: unknown): bigint => BigInt(value as string);

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
        await this.verifyChain(m, report, batchSize);
        await this.verifyAccounts(m, report, batchSize);
      });
      report.ok = true;
    } catch (err) {
      if (!(err instanceof MismatchFound)) throw err;
      report.mismatch = err.mismatch;
    }
    report.durationMs = Math.round(performance.now() - started);
    return report;
  }

  /** Walks the transfers in seq order, rebuilding every hash from the transfer and its postings. */
  private async verifyChain(m: EntityManager, report: LedgerVerificationReport, batchSize: number): Promise<void> {
    const [head]: Row[] = await m.query(`SELECT last_seq, last_hash FROM banking.ledger_head WHERE singleton`);
    report.head = { seq: head ? big(head.last_seq) : 0n, hash: head ? (head.last_hash as string) : '' };
    const [unchained]: Row[] = await m.query(`SELECT id FROM banking.transfers WHERE seq IS NULL ORDER BY created_at, id LIMIT 1`);
    if (unchained) {
      throw new MismatchFound({
        kind: 'UNCHAINED_TRANSFER',
        transferId: unchained.id as string,
        field: 'seq',
        expected: 'a chain position',
        found: 'null',
        message: `Transfer ${String(unchained.id)} was committed without a chain position.`,
      });
    }
    await m.query(`DECLARE verify_transfers NO SCROLL CURSOR FOR
      SELECT id, code, description, metadata, caused_by, phase, pending_id, created_at, seq, prev_hash, hash
      FROM banking.transfers ORDER BY seq`);
    let previous = GENESIS_HASH;
    let expectedSeq = 1n;
    for (;;) {
      const rows: Row[] = await m.query(`FETCH ${batchSize} FROM verify_transfers`);
      if (rows.length === 0) break;
      const postingRows: Row[] = await m.query(
        `SELECT transfer_id, id, account_id, direction, amount, currency, pending
         FROM banking.postings WHERE transfer_id = ANY($1::uuid[]) ORDER BY id`,
        [rows.map((r) => r.id)],
      );
      const byTransfer = new Map<string, Row[]>();
      for (const p of postingRows) {
        const list = byTransfer.get(p.transfer_id as string);
        if (list) list.push(p);
        else byTransfer.set(p.transfer_id as string, [p]);
      }
      for (const row of rows) {
        const postings = byTransfer.get(row.id as string) ?? [];
        checkTransfer(row, postings, previous, expectedSeq);
        previous = row.hash as string;
        expectedSeq += 1n;
        report.transfers += 1;
        report.postings += postings.length;
      }
    }
    await m.query(`CLOSE verify_transfers`);
    const lastSeq = expectedSeq - 1n;
    if (report.head.seq !== lastSeq || report.head.hash !== previous) {
      const field = report.head.seq !== lastSeq ? 'last_seq' : 'last_hash';
      throw new MismatchFound({
        kind: 'CHAIN_HEAD',
        seq: lastSeq,
        field,
        expected: field === 'last_seq' ? lastSeq.toString() : previous,
        found: field === 'last_seq' ? report.head.seq.toString() : report.head.hash,
        message: `The chain head says ${field} ${field === 'last_seq' ? report.head.seq : report.head.hash}, the last transfer gives ${field === 'last_seq' ? lastSeq : previous}.`,
      });
    }
  }

  /**
   * Merges the accounts with their postings, by descending account id and then
   * ascending posting id (a backward scan of postings_account_idx, so nothing is
   * sorted), rebuilding each account's counters and running balance.
   */
  private async verifyAccounts(m: EntityManager, report: LedgerVerificationReport, batchSize: number): Promise<void> {
    await m.query(`DECLARE verify_accounts NO SCROLL CURSOR FOR
      SELECT id, number, kind, currency, overdraft_limit, debits_posted, credits_posted, debits_pending, credits_pending
      FROM banking.accounts ORDER BY id DESC`);
    // A pending posting still holds funds only while its transfer is PENDING; the subquery runs for those rows alone.
    await m.query(`DECLARE verify_postings NO SCROLL CURSOR FOR
      SELECT p.id, p.account_id, p.transfer_id, p.direction, p.amount, p.currency, p.pending, p.balance_after,
        CASE WHEN p.pending THEN (SELECT t.status FROM banking.transfers t WHERE t.id = p.transfer_id) END AS transfer_status
      FROM banking.postings p ORDER BY p.account_id DESC, p.id`);
    const accounts = new CursorReader(m, 'verify_accounts', batchSize);
    const postings = new CursorReader(m, 'verify_postings', batchSize);
    const posted = new Map<string, bigint>();
    const pending = new Map<string, bigint>();
    for (let account = await accounts.next(); account; account = await accounts.next()) {
      const id = account.id as string;
      await orphanBefore(postings, id);
      const counters: Counters = { debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n };
      for (let p = await postings.peek(); p && p.account_id === id; p = await postings.peek()) {
        await postings.next();
        checkPosting(account, p, counters);
      }
      for (const field of ['debits_posted', 'credits_posted', 'debits_pending', 'credits_pending'] as const) {
        const stored = big(account[field]);
        if (stored !== counters[field]) {
          throw new MismatchFound({
            kind: 'COUNTER',
            accountId: id,
            currency: account.currency as string,
            field,
            expected: counters[field].toString(),
            found: stored.toString(),
            message: `Account ${String(account.number)} stores ${field} ${stored}; its postings give ${counters[field]}.`,
          });
        }
      }
      const balance = counters.credits_posted - counters.debits_posted;
      const available = balance - counters.debits_pending + big(account.overdraft_limit);
      if (account.kind === 'CUSTOMER' && available < 0n) {
        throw new MismatchFound({
          kind: 'LIMIT',
          accountId: id,
          currency: account.currency as string,
          field: 'available',
          expected: '>= 0',
          found: available.toString(),
          message: `Customer account ${String(account.number)} is ${-available} minor units below its overdraft limit.`,
        });
      }
      const currency = account.currency as string;
      posted.set(currency, (posted.get(currency) ?? 0n) + balance);
      pending.set(currency, (pending.get(currency) ?? 0n) + counters.credits_pending - counters.debits_pending);
      report.accounts += 1;
    }
    await orphanBefore(postings, '');
    await m.query(`CLOSE verify_accounts`);
    await m.query(`CLOSE verify_postings`);
    report.totals = Object.fromEntries([...posted].sort(([a], [b]) => a.localeCompare(b)));
    for (const [label, totals] of [['posted', posted], ['pending', pending]] as const) {
      for (const [currency, total] of totals) {
        if (total !== 0n) {
          throw new MismatchFound({
            kind: 'CURRENCY_TOTAL',
            currency,
            field: label,
            expected: '0',
            found: total.toString(),
            message: `The ${label} balances of all ${currency} accounts sum to ${total}, not 0.`,
          });
        }
      }
    }
  }
}

/** Checks one transfer's chain link, hash and postings; throws the first mismatch. */
function checkTransfer(row: Row, postings: Row[], previous: string, expectedSeq: bigint): void {
  const id = row.id as string;
  const seq = big(row.seq);
  const at = { transferId: id, seq };
  if (seq !== expectedSeq) {
    throw new MismatchFound({
      ...at,
      kind: 'CHAIN_SEQUENCE',
      field: 'seq',
      expected: expectedSeq.toString(),
      found: seq.toString(),
      message: `Transfer ${id} has seq ${seq} where ${expectedSeq} comes next: a transfer is missing from the chain.`,
    });
  }
  if (row.prev_hash !== previous) {
    throw new MismatchFound({
      ...at,
      kind: 'CHAIN_LINK',
      field: 'prev_hash',
      expected: previous,
      found: String(row.prev_hash),
      message: `Transfer ${id} (seq ${seq}) does not link to the hash of transfer ${seq - 1n}.`,
    });
  }
  const hash = chainHash(previous, {
    seq,
    id,
    code: row.code as string,
    description: row.description as string,
    metadata: (row.metadata as Record<string, unknown>) ?? {},
    causedBy: (row.caused_by as string | null) ?? null,
    phase: row.phase as string,
    pendingId: (row.pending_id as string | null) ?? null,
    createdAt: row.created_at as Date,
    postings: postings.map((p) => ({
      accountId: p.account_id as string,
      direction: p.direction as string,
      amount: big(p.amount),
      currency: p.currency as string,
      pending: p.pending as boolean,
    })),
  });
  if (hash !== row.hash) {
    throw new MismatchFound({
      ...at,
      kind: 'CHAIN_HASH',
      field: 'hash',
      expected: hash,
      found: String(row.hash),
      message: `Transfer ${id} (seq ${seq}) or one of its postings was changed after it was chained.`,
    });
  }
  const phasePending = row.phase === 'PENDING';
  const sums = new Map<string, bigint>();
  for (const p of postings) {
    if (p.pending !== phasePending) {
      throw new MismatchFound({
        ...at,
        kind: 'POSTING',
        postingId: String(p.id),
        accountId: p.account_id as string,
        field: 'pending',
        expected: String(phasePending),
        found: String(p.pending),
        message: `Posting ${String(p.id)} of ${String(row.phase)} transfer ${id} has pending = ${String(p.pending)}.`,
      });
    }
    const signed = p.direction === 'DEBIT' ? -big(p.amount) : big(p.amount);
    sums.set(p.currency as string, (sums.get(p.currency as string) ?? 0n) + signed);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0n) {
      throw new MismatchFound({
        ...at,
        kind: 'UNBALANCED_TRANSFER',
        currency,
        field: 'postings',
        expected: '0',
        found: sum.toString(),
        message: `Transfer ${id} (seq ${seq}) credits ${sum} more than it debits in ${currency}.`,
      });
    }
  }
}

type Counters = { debits_posted: bigint; credits_posted: bigint; debits_pending: bigint; credits_pending: bigint };

/** Adds one posting (oldest first) to its account's recomputed counters, checking its currency and balance_after. */
function checkPosting(account: Row, p: Row, counters: Counters): void {
  const at = { transferId: p.transfer_id as string, accountId: account.id as string, postingId: String(p.id) };
  if (p.currency !== account.currency) {
    throw new MismatchFound({
      ...at,
      kind: 'POSTING',
      field: 'currency',
      expected: account.currency as string,
      found: p.currency as string,
      message: `Posting ${at.postingId} is in ${String(p.currency)} on account ${String(account.number)}, which holds ${String(account.currency)}.`,
    });
  }
  const amount = big(p.amount);
  const debit = p.direction === 'DEBIT';
  if (p.pending) {
    // A hold counts only while its transfer is still PENDING; posting, voiding or expiring it released it.
    if (p.transfer_status === 'PENDING') {
      if (debit) counters.debits_pending += amount;
      else counters.credits_pending += amount;
    }
    return;
  }
  if (debit) counters.debits_posted += amount;
  else counters.credits_posted += amount;
  const running = counters.credits_posted - counters.debits_posted;
  const stored = p.balance_after === null ? null : big(p.balance_after);
  if (stored !== running) {
    throw new MismatchFound({
      ...at,
      kind: 'BALANCE_AFTER',
      field: 'balance_after',
      expected: running.toString(),
      found: String(stored),
      message: `Posting ${at.postingId} on account ${String(account.number)} records balance_after ${String(stored)}; the postings before it give ${running}.`,
    });
  }
}

/** Throws for a posting whose account sorts before `accountId` in the merge: it belongs to no account. */
async function orphanBefore(postings: CursorReader, accountId: string): Promise<void> {
  const p = await postings.peek();
  if (p && (p.account_id as string) > accountId) {
    throw new MismatchFound({
      kind: 'POSTING',
      transferId: p.transfer_id as string,
      accountId: p.account_id as string,
      postingId: String(p.id),
      field: 'account_id',
      expected: 'an existing account',
      found: p.account_id as string,
      message: `Posting ${String(p.id)} belongs to account ${String(p.account_id)}, which does not exist.`,
    });
  }
}
