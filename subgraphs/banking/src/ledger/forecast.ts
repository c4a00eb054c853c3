import type { AccountRecord } from '../domain/account';

/** The chain head as a batch leaves it. */
export interface HeadState {
  lastSeq: bigint;
  lastHash: string;
  lastCreatedAt: Date;
}

/** A batch that wrote, or is writing, what the forecast expects. */
export interface Writer {
  /** Settles when the batch has ended: true if it committed. */
  readonly written: Promise<boolean>;
  /** Whether it has ended. */
  readonly ended: boolean;
}

/** The state a batch was planned on. */
export interface AssumedState {
  accounts: Map<string, AccountRecord>;
  head: HeadState;
}

/**
 * What this process expects the accounts and the chain head to be once the
 * batches it has planned commit. A batch of transfers is planned on it while
 * the batch before it still holds the locks, and written by one statement that
 * takes the locks, checks the state is exactly as assumed and only then writes
 * (see runForecastBatch). A wrong forecast (another process wrote, a batch
 * failed, an account was frozen) makes that statement write nothing, and the
 * batch runs again on what it locks: it costs time, never correctness.
 */
export class LedgerForecast {
  private readonly accounts = new Map<string, AccountRecord>();
  private head: HeadState | null = null;
  /** Batches running on what they lock that have not yet recorded their plan. */
  private unplanned = 0;
  /** The batch that recorded the head last. */
  private headWriter: Writer = { written: Promise.resolve(true), ended: true };

  /** @param capacity Most accounts remembered; the least recently planned are dropped first. */
  constructor(private readonly capacity = 50_000) {}

  /** The expected state of these accounts and of the head, or undefined unless all of it is known. */
  assume(accountIds: Iterable<string>): AssumedState | undefined {
    if (!this.ready()) return undefined;
    const accounts = new Map<string, AccountRecord>();
    for (const id of accountIds) {
      const account = this.accounts.get(id);
      if (!account) return undefined;
      accounts.set(id, account);
    }
    return { accounts, head: this.head! };
  }

  /**
   * Whether a batch can be planned on the forecast once it knows the batch's
   * accounts: the head is known, and no batch is waiting for its locks to plan
   * what nobody can foresee yet.
   */
  ready(): boolean {
    return this.unplanned === 0 && this.head !== null;
  }

  /** Which of these accounts the forecast does not know. */
  unknown(accountIds: Iterable<string>): string[] {
    return [...accountIds].filter((id) => !this.accounts.has(id));
  }

  /**
   * Adds accounts as last committed, read without a lock. Only accounts it
   * still does not know: one a batch planned meanwhile is known better. None of
   * this process's batches in flight writes an account the forecast does not
   * know, so the committed state is what they leave.
   */
  learn(accounts: Iterable<AccountRecord>): void {
    this.record(
      [...accounts].filter((a) => !this.accounts.has(a.id)),
      null,
    );
  }

  /**
   * Marks a batch that plans only once it holds its locks: until its plan is
   * recorded and {@link release} called, nothing is assumed.
   */
  hold(): void {
    this.unplanned += 1;
  }

  /** Ends a {@link hold}, once its batch recorded its plan or failed. */
  release(): void {
    this.unplanned -= 1;
  }

  /**
   * Records the state a planned batch, `writer`, will leave behind. Returns
   * the batch whose head this one was planned on.
   */
  record(accounts: Iterable<AccountRecord>, head: HeadState | null, writer?: Writer): Writer {
    const before = this.headWriter;
    if (head && writer) this.headWriter = writer;
    for (const account of accounts) {
      this.accounts.delete(account.id);
      this.accounts.set(account.id, account);
    }
    if (head) this.head = head;
    for (const id of this.accounts.keys()) {
      if (this.accounts.size <= this.capacity) break;
      this.accounts.delete(id);
    }
    return before;
  }

  /**
   * Forgets what a failed batch planned: its accounts (all of them when not
   * given) and the head. A batch planned on top of it fails its check in turn
   * and forgets its own accounts.
   */
  forget(accountIds?: Iterable<string>): void {
    if (accountIds === undefined) this.accounts.clear();
    else for (const id of accountIds) this.accounts.delete(id);
    this.head = null;
  }
}
