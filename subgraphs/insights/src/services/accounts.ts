import type { Queryable } from '@meridian/platform';
import { LRUCache } from 'lru-cache';
import type { LedgerAccount, LedgerReader } from '../clients/ledger-reader';

/** An account as the read model keeps it: its owner, when it is a customer's. */
export interface KnownAccount {
  id: string;
  userId: string | null;
  kind: 'CUSTOMER' | 'SYSTEM';
  type: string;
  currency: string;
  name: string;
}

/**
 * Who owns each ledger account, learned from banking once per account and kept
 * in `insights.accounts` (an account's owner never changes), with the most
 * used ones in memory.
 */
export class AccountDirectory {
  private readonly cache = new LRUCache<string, KnownAccount>({ max: 50_000 });

  constructor(private readonly ledger: LedgerReader) {}

  /** The accounts by id; asks banking for those never seen. Errors: those of banking's API (the event is retried). */
  async resolve(q: Queryable, ids: readonly string[]): Promise<Map<string, KnownAccount>> {
    const found = new Map<string, KnownAccount>();
    const missing = [...new Set(ids)].filter((id) => {
      const cached = this.cache.get(id);
      if (cached) found.set(id, cached);
      return !cached;
    });
    if (missing.length > 0) {
      const rows: { id: string; user_id: string | null; kind: KnownAccount['kind']; type: string; currency: string; name: string }[] = await q.query(
        `SELECT id, user_id, kind, type, currency, name FROM insights.accounts WHERE id = ANY($1::uuid[])`,
        [missing],
      );
      for (const r of rows) this.remember(found, { id: r.id, userId: r.user_id, kind: r.kind, type: r.type, currency: r.currency, name: r.name });
      for (const id of missing.filter((m) => !found.has(m))) {
        const account = await this.ledger.account(id);
        await this.record(q, account);
        this.remember(found, toKnown(account));
      }
    }
    return found;
  }

  /** The customer's accounts the read model knows. */
  async ofUser(q: Queryable, userId: string): Promise<KnownAccount[]> {
    const rows: { id: string; user_id: string; kind: KnownAccount['kind']; type: string; currency: string; name: string }[] = await q.query(
      `SELECT id, user_id, kind, type, currency, name FROM insights.accounts WHERE user_id = $1 ORDER BY fetched_at, id`,
      [userId],
    );
    return rows.map((r) => ({ id: r.id, userId: r.user_id, kind: r.kind, type: r.type, currency: r.currency, name: r.name }));
  }

  private async record(q: Queryable, a: LedgerAccount): Promise<void> {
    await q.query(
      `INSERT INTO insights.accounts (id, user_id, kind, type, currency, name) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [a.id, a.kind === 'CUSTOMER' ? a.ownerId : null, a.kind, a.type, a.currency, a.name],
    );
  }

  private remember(found: Map<string, KnownAccount>, account: KnownAccount): void {
    this.cache.set(account.id, account);
    found.set(account.id, account);
  }
}

function toKnown(a: LedgerAccount): KnownAccount {
  return { id: a.id, userId: a.kind === 'CUSTOMER' ? a.ownerId : null, kind: a.kind, type: a.type, currency: a.currency, name: a.name };
}
