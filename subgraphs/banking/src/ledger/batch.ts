import { DomainError, ErrorCode, errors, sqlState } from '@meridian/platform';
import type { PlannedPosting } from './account-book';
import { fxQuoteIdOf, isCrossCurrency, type PostingRecord, type TransferRecord } from '../domain/transfer';
import type { Sql } from '../data/sql-transaction';
import type { AssumedState, LedgerForecast, Writer } from './forecast';
import { planBatch, type BatchInputs, type BatchPlan, type LedgerCommand, type LedgerOutcome } from './plan';
import { lockBatch, lockFxQuotes, lockPendings } from './locks';
import { readStoredTransfers, type StoredTransfer } from './reads';
import { writeBatch, type TransferWrite } from './writer';

export type { LedgerCommand, LedgerOutcome, ResolvePendingInput } from './plan';

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
        return { ok: true, value: true, written: true };
      case 'written':
        // Each transfer is written for one caller; one that repeats its id in the batch gets a copy below.
        return { ok: true, value: records.get(step.planned.write.id)!, written: true };
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
