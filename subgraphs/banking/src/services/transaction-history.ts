import type { DataSource } from 'typeorm';
import type { CurrencyCode } from '../domain/currency';
import { containsPattern, type TransactionPage, type TransactionPageRequest, type TransactionRecord } from '../domain/transaction';

/** The posted balance of an account as of an instant. */
export interface BalanceAtRequest {
  accountId: string;
  at: Date;
}

type Row = Record<string, unknown>;

/**
 * Reads account history from the postings: pages of transactions and balances
 * as of past instants, each for many accounts in one SQL statement.
 */
export class TransactionHistory {
  constructor(private readonly db: DataSource) {}

  /**
   * One page per request, newest first, in one statement whatever the number of
   * requests. Holds that were later posted are left out: the posting that
   * settled them stands for them.
   */
  async pages(requests: readonly TransactionPageRequest[]): Promise<TransactionPage[]> {
    if (requests.length === 0) return [];
    // A LATERAL subquery with LIMIT walks the (account_id, id DESC) index and stops after
    // first + 1 rows per account; `row_number() OVER (PARTITION BY account_id)` would read
    // every posting of every account first (150 ms against 0.5 ms for 50 accounts of 5,000 postings).
    const rows: Row[] = await this.db.query(
      `SELECT r.ord, x.*
       FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::timestamptz[], $5::timestamptz[], $6::text[])
              WITH ORDINALITY AS r(account_id, before_id, lim, from_t, to_t, pattern, ord)
       CROSS JOIN LATERAL (
         SELECT p.id, p.transfer_id, p.account_id, p.direction, p.amount, p.currency, p.pending, p.balance_after,
                p.created_at, t.status, t.code, t.description
         FROM banking.postings p
         JOIN banking.transfers t ON t.id = p.transfer_id
         WHERE p.account_id = r.account_id
           AND p.id < coalesce(r.before_id, 9223372036854775807)
           AND (r.from_t IS NULL OR p.created_at >= r.from_t)
           AND (r.to_t IS NULL OR p.created_at < r.to_t)
           AND NOT (p.pending AND t.status = 'POSTED')
           AND (r.pattern IS NULL OR t.description ILIKE r.pattern ESCAPE '\\' OR replace(t.code, '_', ' ') ILIKE r.pattern ESCAPE '\\')
         ORDER BY p.id DESC
         LIMIT r.lim
       ) x
       ORDER BY r.ord, x.id DESC`,
      [
        requests.map((r) => r.accountId),
        requests.map((r) => r.beforeId),
        requests.map((r) => r.first + 1),
        requests.map((r) => r.from?.toISOString() ?? null),
        requests.map((r) => r.to?.toISOString() ?? null),
        requests.map((r) => (r.search === null ? null : containsPattern(r.search))),
      ],
    );
    const byRequest = requests.map((): TransactionRecord[] => []);
    for (const row of rows) byRequest[Number(row.ord) - 1].push(toTransaction(row));
    return byRequest.map((items, i) => ({
      items: items.slice(0, requests[i].first),
      hasNextPage: items.length > requests[i].first,
      hasPreviousPage: requests[i].beforeId !== null,
    }));
  }

  /**
   * Posted balance of each account as of each instant: the balance after its
   * last settled posting at or before then, zero before the first. One statement.
   */
  async balancesAt(requests: readonly BalanceAtRequest[]): Promise<bigint[]> {
    if (requests.length === 0) return [];
    // `< at + 1 ms`: the API shows times to the millisecond while PostgreSQL keeps microseconds,
    // so a posting shown at 09:30:00.123 counts as made at 09:30:00.123. (`from`/`to` above agree:
    // `>= from` and `< to` give the same answer on the truncated time.)
    const rows: Row[] = await this.db.query(
      `SELECT r.ord,
              (SELECT p.balance_after FROM banking.postings p
               WHERE p.account_id = r.account_id AND NOT p.pending AND p.created_at < r.at + interval '1 millisecond'
               ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS balance
       FROM unnest($1::uuid[], $2::timestamptz[]) WITH ORDINALITY AS r(account_id, at, ord)`,
      [requests.map((r) => r.accountId), requests.map((r) => r.at.toISOString())],
    );
    const balances = requests.map(() => 0n);
    for (const row of rows) balances[Number(row.ord) - 1] = row.balance === null ? 0n : BigInt(row.balance as string);
    return balances;
  }
}

function toTransaction(row: Row): TransactionRecord {
  return {
    id: String(row.id),
    transferId: row.transfer_id as string,
    accountId: row.account_id as string,
    direction: row.direction as TransactionRecord['direction'],
    amount: BigInt(row.amount as string),
    currency: row.currency as CurrencyCode,
    pending: row.pending as boolean,
    balanceAfter: row.balance_after === null ? null : BigInt(row.balance_after as string),
    status: row.status as TransactionRecord['status'],
    code: row.code as string,
    description: row.description as string,
    createdAt: new Date(row.created_at as string),
  };
}
