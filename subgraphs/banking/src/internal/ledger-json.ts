import { balanceOf, type AccountRecord } from '../domain/account';
import { formatDecimal } from '../domain/money';
import type { PostingRecord, TransferRecord } from '../domain/transfer';

/** A posting as the internal ledger API returns it: amounts as decimal strings in their currency. */
export function postingJson(p: PostingRecord) {
  return {
    id: p.id,
    accountId: p.accountId,
    direction: p.direction,
    amount: formatDecimal(p.amount, p.currency),
    currency: p.currency,
    pending: p.pending,
    balanceAfter: p.balanceAfter === null ? null : formatDecimal(p.balanceAfter, p.currency),
    createdAt: p.createdAt.toISOString(),
  };
}

/** A transfer as the internal ledger API returns it. */
export function transferJson(t: TransferRecord) {
  return {
    id: t.id,
    code: t.code,
    description: t.description,
    metadata: t.metadata,
    causedBy: t.causedBy,
    phase: t.phase,
    status: t.status,
    pendingId: t.pendingId,
    timeoutAt: t.timeoutAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    postings: t.postings.map(postingJson),
  };
}

/** An account's balances as the internal ledger API returns them. */
export function balanceJson(a: AccountRecord) {
  const balance = balanceOf(a);
  return {
    accountId: a.id,
    currency: a.currency,
    status: a.status,
    posted: formatDecimal(balance.posted, a.currency),
    pending: formatDecimal(balance.pending, a.currency),
    available: formatDecimal(balance.available, a.currency),
  };
}

/** An account as the internal ledger API returns it: who owns it, what it holds and its balances. */
export function accountJson(a: AccountRecord) {
  return {
    id: a.id,
    number: a.number,
    ownerId: a.ownerId,
    kind: a.kind,
    type: a.type,
    name: a.name,
    ...balanceJson(a),
  };
}
