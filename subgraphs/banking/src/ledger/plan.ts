import { DomainError, ErrorCode, errors } from '@meridian/platform';
import type { AccountRecord } from '../domain/account';
import { isCrossCurrency, type TransferInput, type TransferRecord } from '../domain/transfer';
import { AccountBook, type CounterChange } from './account-book';
import type { HeadState } from './forecast';
import { checkFxQuote } from './fx-quote-check';
import { chainHash } from './hash-chain';
import type { LockedHead, LockedPending, LockedQuote } from './locks';
import { assertResolvable, postedChanges, releaseHold } from './pending-holds';
import { transferEvent } from './transfer-events';
import type { EventWrite, TransferWrite } from './writer';

// Planning a batch: each command applied in memory, in order, on the state the batch
// locked (or the forecast), then the written transfers chained. Pure: no I/O.

/** Resolves a pending transfer: posts it (fully or in part) or voids it. */
export interface ResolvePendingInput {
  /** Client-chosen UUID of the resolving transfer (its idempotency key). */
  id: string;
  pendingId: string;
  /** Post only: minor units to post, at most the pending amount; default all of it. Needs a two-posting transfer when partial. */
  amount?: bigint;
}

/**
 * One request to the ledger; a batch runs several in one transaction, in order. `traceparent`
 * is the caller's span when it was traced: the event the command writes carries it.
 */
export type LedgerCommand = (
  | { kind: 'transfer'; input: TransferInput; fingerprint: string }
  | { kind: 'resolve'; action: 'POST' | 'VOID'; input: ResolvePendingInput; fingerprint: string }
  /** Releases a hold whose timeout is at or before `dueBy`; a hold no longer pending or not yet due is left alone. */
  | { kind: 'expire'; pendingId: string; dueBy: Date }
) & { traceparent?: string };

/**
 * A command's own outcome: a transfer, whether a hold expired, or the refusal its caller gets.
 * `written` marks a transfer or expiry this batch wrote (not a replay answered from what is stored).
 */
export type LedgerOutcome = { ok: true; value: TransferRecord | boolean; written?: boolean } | { ok: false; error: unknown };

/** What a command that writes will write, before its chain position is known. */
export interface Planned {
  write: Omit<TransferWrite, 'seq' | 'prevHash' | 'hash'>;
  event: EventWrite;
  status?: { id: string; status: string };
  quote?: { id: string; transferId: string };
}

/** A command's outcome while the batch runs. */
export type Step =
  | { kind: 'written'; planned: Planned }
  | { kind: 'stored'; id: string; fingerprint: string }
  | { kind: 'expired'; planned: Omit<Planned, 'write'> }
  | { kind: 'done'; outcome: LedgerOutcome }
  /** Refused on the state it was planned on: answered only once its id is known not to be stored. */
  | { kind: 'refused'; error: DomainError; id: string; fingerprint: string };

/** Everything a batch will write and answer, worked out in memory from the state it was planned on. */
export interface BatchPlan {
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
export interface BatchInputs {
  pendings: Map<string, LockedPending>;
  quotes: Map<string, LockedQuote>;
  /** The clock when the batch started. */
  clock: number;
}

/** The head a batch plans on: as locked (with the batch's ids already used), or as the forecast expects it. */
export type PlanningHead = LockedHead | (HeadState & { used: Map<string, string> }) | null;

/** Applies the commands in order on the given state: pure, so a batch can plan on a forecast and plan again on what it locked. */
export function planBatch(commands: LedgerCommand[], inputs: BatchInputs, accounts: Map<string, AccountRecord>, head: PlanningHead): BatchPlan {
  const planner = new BatchPlanner(inputs, accounts, head?.used ?? new Map());
  const steps = commands.map((command) => planner.step(command));
  return chain(steps, planner.book, inputs.clock, head);
}

/** Plans commands one after another on one account book, each accepted or refused on its own. */
class BatchPlanner {
  readonly book: AccountBook;
  // Planning marks pending transfers and quotes as used; each plan works on its own copies.
  private readonly pendings: Map<string, LockedPending>;
  private readonly quotes: Map<string, LockedQuote>;
  /** Ids claimed by earlier commands of this batch, with the fingerprint that claimed them. */
  private readonly claimed = new Map<string, string>();

  constructor(
    inputs: BatchInputs,
    accounts: Map<string, AccountRecord>,
    /** Fingerprints of the batch's ids already stored, by id. */
    private readonly existing: Map<string, string>,
  ) {
    this.pendings = new Map([...inputs.pendings].map(([id, p]) => [id, { ...p }]));
    this.quotes = new Map([...inputs.quotes].map(([id, q]) => [id, { ...q }]));
    this.book = new AccountBook(accounts.values());
  }

  /** One command's step; a domain refusal stays the command's own. */
  step(command: LedgerCommand): Step {
    try {
      const step = this.decide(command);
      if (command.traceparent && (step.kind === 'written' || step.kind === 'expired')) step.planned.event.traceparent = command.traceparent;
      return step;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (command.kind === 'expire' || error.code === ErrorCode.IDEMPOTENCY_KEY_REUSED) return { kind: 'done', outcome: { ok: false, error } };
      // A refusal changes nothing in the plan, so it can still turn into the stored answer.
      return { kind: 'refused', error, id: command.input.id, fingerprint: command.fingerprint };
    }
  }

  private decide(command: LedgerCommand): Step {
    if (command.kind === 'expire') return this.expiry(command);
    const { id } = command.input;
    const known = this.existing.get(id) ?? this.claimed.get(id);
    if (known !== undefined) {
      if (known !== command.fingerprint) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Transfer id ${id} was already used for a different request.`, { field: 'transferId' });
      }
      return { kind: 'stored', id, fingerprint: command.fingerprint };
    }
    const planned = command.kind === 'transfer' ? this.transfer(command.input, command.fingerprint) : this.resolution(command);
    this.claimed.set(id, command.fingerprint);
    return { kind: 'written', planned };
  }

  private transfer(input: TransferInput, print: string): Planned {
    const pending = input.pendingTimeoutSeconds !== undefined;
    const quote = isCrossCurrency(input) ? checkFxQuote(input, this.quotes, this.book) : undefined;
    const postings = this.book.apply(
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
      event: transferEvent(pending ? 'ledger.transfer.pending' : 'ledger.transfer.posted', input.id, input.code, postings, this.ownersOf(postings), {
        description: input.description ?? '',
        metadata: input.metadata ?? {},
      }),
      quote: quote ? { id: quote.id, transferId: input.id } : undefined,
    };
  }

  private resolution(command: Extract<LedgerCommand, { kind: 'resolve' }>): Planned {
    const { input, action } = command;
    const pending = this.pendings.get(input.pendingId);
    if (!pending) throw errors.notFound(`Pending transfer ${input.pendingId} does not exist.`);
    assertResolvable(pending);
    const changes: CounterChange[] = pending.holds.map(releaseHold);
    if (action === 'POST') changes.push(...postedChanges(pending.holds, input.amount));
    const postings = this.book.apply(changes, { allowFrozen: true });
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
      // A void records no posting; a post or a void changes the hold's accounts.
      event: transferEvent(action === 'POST' ? 'ledger.transfer.posted' : 'ledger.transfer.voided', input.id, pending.code, postings, this.ownersOf(pending.holds), {
        pendingId: pending.id,
        description: pending.description,
      }),
      status: { id: pending.id, status },
    };
  }

  private expiry(command: Extract<LedgerCommand, { kind: 'expire' }>): Step {
    const pending = this.pendings.get(command.pendingId);
    const due = pending?.timeoutAt && pending.timeoutAt.getTime() <= command.dueBy.getTime();
    if (!pending || pending.status !== 'PENDING' || !due) return { kind: 'done', outcome: { ok: true, value: false } };
    this.book.apply(pending.holds.map(releaseHold), { allowFrozen: true });
    pending.status = 'EXPIRED';
    return {
      kind: 'expired',
      planned: {
        event: transferEvent('ledger.transfer.expired', pending.id, pending.code, pending.holds, this.ownersOf(pending.holds)),
        status: { id: pending.id, status: 'EXPIRED' },
      },
    };
  }

  /** The distinct owners of the customer accounts among `postings`, in order: the customers a transfer's event concerns. */
  private ownersOf(postings: readonly { accountId: string }[]): string[] {
    const owners = new Set<string>();
    for (const { accountId } of postings) {
      const account = this.book.get(accountId);
      if (account?.kind === 'CUSTOMER' && account.ownerId) owners.add(account.ownerId);
    }
    return [...owners];
  }
}

/** Gives the written transfers consecutive chain positions and hashes after `head`, at the batch's time. */
function chain(steps: Step[], book: AccountBook, clock: number, head: PlanningHead): BatchPlan {
  const written = steps.flatMap((s) => (s.kind === 'written' ? [s.planned] : []));
  const expired = steps.flatMap((s) => (s.kind === 'expired' ? [s.planned] : []));
  const now = new Date(Math.max(clock, head?.lastCreatedAt.getTime() ?? 0));
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
