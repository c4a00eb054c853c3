import type { DataSource } from 'typeorm';
import type { LedgerReader } from '../clients/ledger-reader';
import { changesOfHistory, type LedgerProjection } from './ledger-projection';

/** What a rebuild did. */
export interface RebuildReport {
  transfers: number;
  changes: number;
  customers: number;
  durationMs: number;
}

/**
 * Rebuilds the read model's transactions from banking's ledger, page by page
 * in chain order, through the same projection the events go through: the
 * transactions (and how holds ended) are emptied and written again. What the
 * customers said stays: their rules are applied as the rows are written, their
 * budgets, goals and alerts are kept; a category chosen for one transaction is
 * lost. Refund links from payment events are kept, so refunds keep their
 * category. Events that arrive meanwhile are applied on top (idempotent).
 */
export async function rebuildReadModel(p: { db: DataSource; ledger: LedgerReader; projection: LedgerProjection; pageSize?: number; log?: (line: string) => void }): Promise<RebuildReport> {
  const started = performance.now();
  await p.db.query(`TRUNCATE insights.transactions, insights.hold_outcomes, insights.daily_balances`);
  const customers = new Set<string>();
  let transfers = 0;
  let changes = 0;
  for (let afterSeq: bigint | null = 0n; afterSeq !== null; ) {
    const page = await p.ledger.history(afterSeq, p.pageSize ?? 500);
    for (const transfer of page.transfers) {
      transfers += 1;
      for (const change of changesOfHistory(transfer)) {
        changes += 1;
        for (const user of await p.projection.apply(change)) customers.add(user);
      }
    }
    afterSeq = page.nextAfterSeq;
    p.log?.(`  ${transfers} transfers read`);
  }
  return { transfers, changes, customers: customers.size, durationMs: Math.round(performance.now() - started) };
}
