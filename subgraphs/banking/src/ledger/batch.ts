import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode, errors, sqlState } from '@meridian/platform';
import { AccountBook, type CounterChange, type PlannedPosting } from './account-book';
import { chainHash } from './hash-chain';
import { formatDecimal } from '../domain/money';
import { fxQuoteIdOf, isCrossCurrency, type PostingRecord, type TransferInput, type TransferRecord } from '../domain/transfer';
import type { Sql } from '../data/sql-transaction';
import type { AccountRecord } from '../domain/account';
import type { AssumedState, HeadState, LedgerForecast, Writer } from './forecast';
import {
  lockBatch,
  lockFxQuotes,
  lockPendings,
  readStoredTransfers,
  writeBatch,
  type EventWrite,
  type LockedHead,
  type LockedPending,
  type LockedQuote,
  type StoredTransfer,
  type TransferWrite,
} from './writer';

/** Resolves a pending transfer: posts it (fully or in part) or voids it. */
export interface ResolvePendingInput {
  /** Client-chosen UUID of the resolving transfer (its idempotency key). */
  id: string;
  pendingId: string;
  /** Post only: minor units to post, at most the pending amount; default all of it. Needs a two-posting transfer when partial. */
  amount?: bigint;
}

/** One request to the ledger; a batch runs several in one transaction, in order. */
export type LedgerCommand =
  | { kind: 'transfer'; input: TransferInput; fingerprint: string }
  | { kind: 'resolve'; action: 'POST' | 'VOID'; input: ResolvePendingInput; fingerprint: string }
  /** Releases a hold whose timeout is at or before `dueBy`; a hold no longer pending or not yet due is left alone. */
  | { kind: 'expire'; pendingId: string; dueBy: Date };

/** A command's own outcome: a transfer, whether a hold expired, or the refusal its caller gets. */
export type LedgerOutcome = { ok: true; value: TransferRecord | boolean } | { ok: false; error: unknown };

/** What a command that writes will write, before its chain position is known. */
interface Planned {
  write: Omit<TransferWrite, 'seq' | 'prevHash' | 'hash'>;
  event: EventWrite;
  status?: { id: string; status: string };
  quote?: { id: string; transferId: string };
}

/** A command's outcome while the batch runs. */
type Step =
  | { kind: 'written'; planned: Planned }
  | { kind: 'stored'; id: string; fingerprint: string }
  | { kind: 'expired'; planned: Omit<Planned, 'write'> }
  | { kind: 'done'; outcome: LedgerOutcome }
  /** Refused on the state it was planned on: answered only once its id is known not to be stored. */
  | { kind: 'refused'; error: DomainError; id: string; fingerprint: string };

/** Everything a batch will write and answer, worked out in memory from the state it was planned on. */
interface BatchPlan {
  steps: Step[];
  /** The batch's timestamp: never earlier than the last chained transfer. */
  now: Date;
  transfers: TransferWrite[];
  written: Planned[];
  expired: Omit<Planned, 'write'>[];
  book: AccountBook;
  /** The chain head after the batch; null when it chains nothing. */
  head: HeadState | null;
}

/** The locked rows a batch plans on, besides the accounts and the head. */
interface BatchInputs {
  pendings: Map<string, LockedPending>;
  quotes: Map<string, LockedQuote>;
  /** The clock when the batch started. */
  clock: number;
}

/**
 * Runs a batch of ledger commands in the caller's transaction: one lock
 * statement for the pending transfers it resolves, one for the FX quotes it
 * claims, one for the chain head and every account (which also finds the ids
 * already used), each command applied in memory in order and refused on its
 * own, one chain step and one write for all of them. Returns each command's
 * outcome; throws only when the batch as a whole fails, and then nothing of it
 * may be committed. The state the batch leaves is recorded in `forecast`.
 */
export async function runLedgerBatch(
  sql: Sql,
  commands: LedgerCommand[],
  forecast?: LedgerForecast,
  writer?: Writer,
): Promise<LedgerOutcome[]> {
  forecast?.hold();
  let plan: BatchPlan;
  try {
    const inputs: BatchInputs = {
      pendings: await lockPendings(
        sql,
        commands.flatMap((c) => (c.kind === 'transfer' ? [] : [c.kind === 'resolve' ? c.input.pendingId : c.pendingId])),
      ),
      quotes: await lockFxQuotes(
        sql,
        commands.flatMap((c) => (c.kind === 'transfer' && isCrossCurrency(c.input) ? [fxQuoteIdOf(c.input) ?? []].flat() : [])),
      ),
      clock: Date.now(),
    };
    const accountIds = commands.flatMap((c) =>
      c.kind === 'transfer'
        ? c.input.postings.map((p) => p.accountId)
        : (inputs.pendings.get(c.kind === 'resolve' ? c.input.pendingId : c.pendingId)?.holds ?? []).map((h) => h.accountId),
    );
    const transferIds = commands.flatMap((c) => (c.kind === 'expire' ? [] : [c.input.id]));
    const locked = await lockBatch(sql, accountIds, transferIds.length > 0 ? transferIds : null);
    plan = planBatch(commands, inputs, locked.accounts, locked.head);
    forecast?.record(plan.book.accounts(), plan.head, writer);
  } finally {
    forecast?.release();
  }
  return finish(sql, plan);
}

/** Whether a batch can be written on a forecast: plain transfers only, which lock nothing but accounts and the head. */
export function isForecastable(commands: LedgerCommand[]): commands is Extract<LedgerCommand, { kind: 'transfer' }>[] {
  return commands.every((c) => c.kind === 'transfer' && !isCrossCurrency(c.input));
}

/** The accounts a batch of transfers posts to. */
export function accountIdsOf(commands: Extract<LedgerCommand, { kind: 'transfer' }>[]): string[] {
  return [...new Set(commands.flatMap((c) => c.input.postings.map((p) => p.accountId)))];
}

/**
 * Runs a batch of plain transfers planned on `assumed`, the state the batches
 * before it will leave, as one statement outside any transaction: it waits
 * for the head and the accounts, checks they are exactly as assumed and only
 * then writes, and commits as it ends. Its plan is recorded in `forecast` at
 * once, so the next batch can be planned while this one waits and writes. If
 * the state differs, the statement writes nothing and fails with a
 * serialization failure (SQLSTATE 40001), and the caller runs the batch again
 * with {@link runLedgerBatch}. Returns undefined, having done nothing, when
 * the batch would write nothing (every transfer refused): the caller runs it
 * with {@link runLedgerBatch}, so the refusals rest on what it locks.
 */
export async function runForecastBatch(
  sql: Sql,
  commands: Extract<LedgerCommand, { kind: 'transfer' }>[],
  assumed: AssumedState,
  forecast: LedgerForecast,
  writer: Writer,
): Promise<LedgerOutcome[] | undefined> {
  const inputs: BatchInputs = { pendings: new Map(), quotes: new Map(), clock: Date.now() };
  const plan = planBatch(commands, inputs, assumed.accounts, { ...assumed.head, used: new Map() });
  // Refusals are only trusted once the write's check has confirmed the state they rest on;
  // a batch that writes nothing has no such check.
  if (plan.written.length === 0) return undefined;
  const before = forecast.record(plan.book.accounts(), plan.head, writer);
  const beforeRunning = !before.ended;
  try {
    return await finish(sql, plan, assumed);
  } catch (err) {
    // The batch this one was planned on, still running when this one was sent, may have
    // reached the head after it: once that batch has committed, the state is the one
    // assumed, unless another process wrote meanwhile.
    if (sqlState(err) === '40001' && beforeRunning && (await before.written)) return finish(sql, plan, assumed);
    throw err;
  }
}

/**
 * Applies the commands in order on the given state: pure, so a batch can plan
 * on a forecast and plan again on what it locked.
 */
function planBatch(
  commands: LedgerCommand[],
  inputs: BatchInputs,
  accounts: Map<string, AccountRecord>,
  head: LockedHead | (HeadState & { used: Map<string, string> }) | null,
): BatchPlan {
  // Planning marks pending transfers and quotes as used; each plan works on its own copies.
  const pendings = new Map([...inputs.pendings].map(([id, p]) => [id, { ...p }]));
  const quotes = new Map([...inputs.quotes].map(([id, q]) => [id, { ...q }]));
  const existing = head?.used ?? new Map<string, string>();
  const book = new AccountBook(accounts.values());
  // Ids claimed by earlier commands of this batch, with the fingerprint that claimed them.
  const claimed = new Map<string, string>();
  const steps: Step[] = commands.map((command) => {
    try {
      return plan(command);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (command.kind === 'expire' || error.code === ErrorCode.IDEMPOTENCY_KEY_REUSED) return { kind: 'done', outcome: { ok: false, error } };
      // A refusal changes nothing in the plan, so it can still turn into the stored answer.
      return { kind: 'refused', error, id: command.input.id, fingerprint: command.fingerprint };
    }
  });

  function plan(command: LedgerCommand): Step {
    if (command.kind === 'expire') return planExpiry(command);
    const { id } = command.input;
    const known = existing.get(id) ?? claimed.get(id);
    if (known !== undefined) {
      if (known !== command.fingerprint) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Transfer id ${id} was already used for a different request.`, { field: 'transferId' });
      }
      return { kind: 'stored', id, fingerprint: command.fingerprint };
    }
    const planned = command.kind === 'transfer' ? planTransfer(command.input, command.fingerprint) : planResolution(command);
    claimed.set(id, command.fingerprint);
    return { kind: 'written', planned };
  }

  function planTransfer(input: TransferInput, print: string): Planned {
    const pending = input.pendingTimeoutSeconds !== undefined;
    const quote = isCrossCurrency(input) ? checkFxQuote(input, quotes, book) : undefined;
    const postings = book.apply(
      input.postings.map((p): CounterChange => ({ accountId: p.accountId, direction: p.direction, amount: p.amount, currency: p.currency, pending, sign: 1, record: true })),
    );
    if (quote) quote.usedByTransfer = input.id;
    return {
      write: {
        id: input.id,
        code: input.code,
        description: input.description ?? '',
        metadata: input.metadata ?? {},
        causedBy: input.causedBy ?? null,
        phase: pending ? 'PENDING' : 'SINGLE',
        status: pending ? 'PENDING' : 'POSTED',
        pendingId: null,
        timeoutSeconds: input.pendingTimeoutSeconds ?? null,
        fingerprint: print,
        postings,
      },
      event: event(pending ? 'ledger.transfer.pending' : 'ledger.transfer.posted', input.id, input.code, postings),
      quote: quote ? { id: quote.id, transferId: input.id } : undefined,
    };
  }

  function planResolution(command: Extract<LedgerCommand, { kind: 'resolve' }>): Planned {
    const { input, action } = command;
    const pending = pendings.get(input.pendingId);
    if (!pending) throw errors.notFound(`Pending transfer ${input.pendingId} does not exist.`);
    assertResolvable(pending);
    const holds = pending.holds;
    const full = holds.find((h) => h.direction === 'DEBIT')!.amount;
    const amount = action === 'POST' ? (input.amount ?? full) : 0n;
    if (amount !== full && action === 'POST') {
      if (holds.length !== 2) throw errors.badInput('Only a two-posting transfer can be posted in part.', { field: 'amount' });
      if (amount > full) throw errors.badInput(`At most ${full} minor units can be posted.`, { field: 'amount' });
    }
    const changes: CounterChange[] = holds.map(release);
    if (action === 'POST') {
      for (const h of holds) changes.push({ ...h, amount: holds.length === 2 ? amount : h.amount, pending: false, sign: 1, record: true });
    }
    const postings = book.apply(changes, { allowFrozen: true });
    const status = action === 'POST' ? 'POSTED' : 'VOIDED';
    pending.status = status;
    return {
      write: {
        id: input.id,
        code: pending.code,
        description: pending.description,
        metadata: {},
        causedBy: null,
        phase: action === 'POST' ? 'POST_PENDING' : 'VOID_PENDING',
        status: 'POSTED',
        pendingId: pending.id,
        timeoutSeconds: null,
        fingerprint: command.fingerprint,
        postings,
      },
      event: event(action === 'POST' ? 'ledger.transfer.posted' : 'ledger.transfer.voided', input.id, pending.code, postings, {
        pendingId: pending.id,
      }),
      status: { id: pending.id, status },
    };
  }

  function planExpiry(command: Extract<LedgerCommand, { kind: 'expire' }>): Step {
    const pending = pendings.get(command.pendingId);
    const due = pending?.timeoutAt && pending.timeoutAt.getTime() <= command.dueBy.getTime();
    if (!pending || pending.status !== 'PENDING' || !due) return { kind: 'done', outcome: { ok: true, value: false } };
    book.apply(pending.holds.map(release), { allowFrozen: true });
    pending.status = 'EXPIRED';
    return {
      kind: 'expired',
      planned: { event: event('ledger.transfer.expired', pending.id, pending.code, pending.holds), status: { id: pending.id, status: 'EXPIRED' } },
    };
  }

  const written = steps.flatMap((s) => (s.kind === 'written' ? [s.planned] : []));
  const expired = steps.flatMap((s) => (s.kind === 'expired' ? [s.planned] : []));
  const now = new Date(Math.max(inputs.clock, head?.lastCreatedAt.getTime() ?? 0));
  let previous = head?.lastHash ?? '';
  const transfers: TransferWrite[] = written.map(({ write }, i) => {
    const seq = head!.lastSeq + BigInt(i + 1);
    const hash = chainHash(previous, {
      seq,
      id: write.id,
      code: write.code,
      description: write.description,
      metadata: write.metadata,
      causedBy: write.causedBy,
      phase: write.phase,
      pendingId: write.pendingId,
      createdAt: now,
      postings: write.postings.map((p) => ({ accountId: p.accountId, direction: p.direction, amount: p.amount, currency: p.currency, pending: p.pending })),
    });
    const link = { ...write, seq, prevHash: previous, hash };
    previous = hash;
    return link;
  });
  const after =
    head && transfers.length > 0
      ? { lastSeq: transfers[transfers.length - 1].seq, lastHash: previous, lastCreatedAt: now }
      : head && { lastSeq: head.lastSeq, lastHash: head.lastHash, lastCreatedAt: head.lastCreatedAt };
  return { steps, now, transfers, written, expired, book, head: after };
}

/** Writes a planned batch and answers each command. */
async function finish(sql: Sql, plan: BatchPlan, expected?: AssumedState): Promise<LedgerOutcome[]> {
  const { steps, now, transfers, written, expired, book } = plan;
  let records = new Map<string, TransferRecord>();
  if (written.length > 0 || expired.length > 0) {
    const all = [...written, ...expired];
    const last = transfers[transfers.length - 1];
    const postingIds = await writeBatch(sql, {
      now,
      accounts: book.changedAccounts(),
      transfers,
      statuses: all.flatMap((p) => (p.status ? [p.status] : [])),
      quotes: written.flatMap((p) => (p.quote ? [p.quote] : [])),
      events: all.map((p) => p.event),
      head: last ? { seq: last.seq, hash: last.hash } : null,
      expected,
    });
    records = toRecords(transfers, postingIds, now);
  }
  // Idempotency is a lookup first: a refused id is answered as refused only if it is not stored
  // now. This read comes after the batch's locks (or its write) in a statement of its own, so it
  // sees every transfer committed before the batch took the chain head: an id written meanwhile
  // by another batch, which the plan could not see, answers what that batch stored.
  const stored = await readStoredTransfers(
    sql,
    // An id this batch wrote after refusing it (other content that fits) was free when refused.
    steps.flatMap((s) => ((s.kind === 'stored' || s.kind === 'refused') && !records.has(s.id) ? [s.id] : [])),
  );
  return steps.map((step): LedgerOutcome => {
    switch (step.kind) {
      case 'done':
        return step.outcome;
      case 'expired':
        return { ok: true, value: true };
      case 'written':
        // Each transfer is written for one caller; one that repeats its id in the batch gets a copy below.
        return { ok: true, value: records.get(step.planned.write.id)! };
      case 'refused': {
        const found = records.has(step.id) ? undefined : stored.get(step.id);
        return found ? storedAnswer(step.id, step.fingerprint, found) : { ok: false, error: step.error };
      }
      case 'stored': {
        const record = records.get(step.id);
        if (record) return { ok: true, value: copy(record) };
        const found = stored.get(step.id);
        // Only reachable if the row vanished between the lock and the read, which immutability forbids.
        if (!found) return { ok: false, error: errors.notFound(`Transfer ${step.id} does not exist.`) };
        return storedAnswer(step.id, step.fingerprint, found);
      }
    }
  });
}

/**
 * What a request under a stored id is answered: the stored transfer for the
 * same request, IDEMPOTENCY_KEY_REUSED for any other.
 */
export function storedAnswer(id: string, print: string, stored: StoredTransfer): LedgerOutcome {
  if (stored.fingerprint !== print) {
    return { ok: false, error: new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Transfer id ${id} was already used for a different request.`, { field: 'transferId' }) };
  }
  return { ok: true, value: copy(stored.record) };
}

/** Refuses a transfer that cannot be posted or voided now. Errors: CONFLICT. */
function assertResolvable(pending: LockedPending): void {
  if (pending.phase !== 'PENDING') throw errors.conflict(`Transfer ${pending.id} is not a pending transfer.`);
  if (pending.status !== 'PENDING') throw errors.conflict(`Transfer ${pending.id} is already ${pending.status.toLowerCase()}.`);
  if (pending.timedOut) throw errors.conflict(`Transfer ${pending.id} has expired.`);
}

/**
 * Checks a cross-currency transfer against its FX quote: the quote exists and is
 * unused, the customer side sells exactly the quoted amount and buys exactly the
 * quoted amount, and the other side of each currency is that currency's FX system
 * account. Expiry is the FX service's check, on its own clock. Returns the quote,
 * which the caller marks used once the transfer is accepted.
 * Errors: BAD_USER_INPUT, CONFLICT (quote used).
 */
function checkFxQuote(input: TransferInput, quotes: Map<string, LockedQuote>, book: AccountBook): LockedQuote {
  const quoteId = fxQuoteIdOf(input)!;
  const quote = quotes.get(quoteId);
  if (!quote) throw errors.badInput(`FX quote ${quoteId} does not exist.`, { field: 'causedBy' });
  if (quote.usedByTransfer !== null) throw errors.conflict('This FX quote was already converted.', { field: 'causedBy', reason: 'QUOTE_USED' });
  const expected = new Map([
    [quote.sellCurrency, { customer: 'DEBIT', amount: quote.sellAmount }],
    [quote.buyCurrency, { customer: 'CREDIT', amount: quote.buyAmount }],
  ]);
  const mismatch = () => errors.badInput(`The postings do not match FX quote ${quoteId}.`, { field: 'postings' });
  for (const posting of input.postings) {
    const want = expected.get(posting.currency);
    const account = book.get(posting.accountId);
    if (!want || !account) throw mismatch();
    const isFx = account.kind === 'SYSTEM' && account.type === 'FX';
    const matches = isFx ? posting.direction !== want.customer : account.kind === 'CUSTOMER' && posting.direction === want.customer;
    if (!matches || posting.amount !== want.amount) throw mismatch();
  }
  if (input.postings.length !== 4) throw mismatch();
  return quote;
}

/** The change that undoes a hold. */
function release(hold: PostingRecord): CounterChange {
  return { accountId: hold.accountId, direction: hold.direction, amount: hold.amount, currency: hold.currency, pending: true, sign: -1, record: false };
}

function event(eventType: string, transferId: string, code: string, postings: PlannedPosting[], extra: Record<string, unknown> = {}): EventWrite {
  return { id: randomUUID(), eventType, aggregateId: transferId, payload: { ...eventPayload(transferId, code, postings), ...extra } };
}

function eventPayload(transferId: string, code: string, postings: PlannedPosting[]): Record<string, unknown> {
  return {
    transferId,
    code,
    postings: postings.map((p) => ({
      accountId: p.accountId,
      direction: p.direction,
      amount: formatDecimal(p.amount, p.currency),
      minorUnits: p.amount.toString(),
      currency: p.currency,
      pending: p.pending,
    })),
  };
}

/** The records of the transfers just written; posting ids come back in the order the postings were given. */
function toRecords(transfers: TransferWrite[], postingIds: string[], now: Date): Map<string, TransferRecord> {
  const records = new Map<string, TransferRecord>();
  let next = 0;
  for (const t of transfers) {
    records.set(t.id, {
      id: t.id,
      code: t.code,
      description: t.description,
      metadata: JSON.parse(JSON.stringify(t.metadata)) as Record<string, unknown>,
      causedBy: t.causedBy,
      phase: t.phase as TransferRecord['phase'],
      status: t.status as TransferRecord['status'],
      pendingId: t.pendingId,
      timeoutAt: t.timeoutSeconds === null ? null : new Date(now.getTime() + t.timeoutSeconds * 1_000),
      createdAt: now,
      seq: t.seq,
      hash: t.hash,
      postings: t.postings.map((p) => postingRecord(p, postingIds[next++], now)),
    });
  }
  return records;
}

/** Each caller gets its own copy, so one cannot change what another sees. */
function copy(record: TransferRecord): TransferRecord {
  return { ...record, metadata: { ...record.metadata }, postings: record.postings.map((p) => postingRecord(p, p.id, p.createdAt)) };
}

// Written out rather than spread: a batch makes one for each of its thousands of postings.
function postingRecord(p: PlannedPosting, id: string, createdAt: Date): PostingRecord {
  return { id, accountId: p.accountId, direction: p.direction, amount: p.amount, currency: p.currency, pending: p.pending, balanceAfter: p.balanceAfter, createdAt };
}
