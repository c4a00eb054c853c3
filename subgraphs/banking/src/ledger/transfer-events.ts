import { randomUUID } from 'node:crypto';
import { formatDecimal } from '../domain/money';
import type { PlannedPosting } from './account-book';
import type { EventWrite } from './writer';

/** A `ledger.transfer.*` event; `ownerIds` names the customers whose accounts it changed (what they see is stale after it). */
export function transferEvent(eventType: string, transferId: string, code: string, postings: PlannedPosting[], ownerIds: string[], extra: Record<string, unknown> = {}): EventWrite {
  return { id: randomUUID(), eventType, aggregateId: transferId, payload: { ...eventPayload(transferId, code, postings, ownerIds), ...extra } };
}

function eventPayload(transferId: string, code: string, postings: PlannedPosting[], ownerIds: string[]): Record<string, unknown> {
  return {
    transferId,
    code,
    ownerIds,
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
