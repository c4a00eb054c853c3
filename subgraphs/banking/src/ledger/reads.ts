import type { AccountRecord } from '../domain/account';
import type { PostingRecord, TransferRecord } from '../domain/transfer';
import { ACCOUNT_COLUMNS, toAccount, toPosting, toTransfer } from '../data/rows';
import type { Sql } from '../data/sql-transaction';

// What the ledger reads without locking: accounts for the forecast, stored transfers for answers.

type Row = Record<string, unknown>;

/** Accounts as last committed, without locking them. */
export async function readAccounts(sql: Sql, ids: string[]): Promise<AccountRecord[]> {
  const rows: Row[] = await sql.query(`SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.map(toAccount);
}

/** A stored transfer and the fingerprint of the request that wrote it. */
export interface StoredTransfer {
  record: TransferRecord;
  fingerprint: string;
}

/** The stored transfers with their postings and fingerprints, by id. */
export async function readStoredTransfers(sql: Sql, ids: string[]): Promise<Map<string, StoredTransfer>> {
  const found = new Map<string, StoredTransfer>();
  if (ids.length === 0) return found;
  const unique = [...new Set(ids)];
  const rows: Row[] = await sql.query(`SELECT * FROM banking.transfers WHERE id = ANY($1::uuid[])`, [unique]);
  if (rows.length === 0) return found;
  const postingRows: Row[] = await sql.query(
    `SELECT transfer_id, id, account_id, direction, amount, currency, pending, balance_after, created_at
     FROM banking.postings WHERE transfer_id = ANY($1::uuid[]) ORDER BY id`,
    [rows.map((r) => r.id)],
  );
  const postings = new Map<string, PostingRecord[]>();
  for (const p of postingRows) {
    const list = postings.get(p.transfer_id as string) ?? [];
    list.push(toPosting(p));
    postings.set(p.transfer_id as string, list);
  }
  for (const row of rows) {
    found.set(row.id as string, { record: toTransfer(row, postings.get(row.id as string) ?? []), fingerprint: row.fingerprint as string });
  }
  return found;
}

/** The stored transfers with their postings, by id. */
export async function readTransfers(sql: Sql, ids: string[]): Promise<Map<string, TransferRecord>> {
  const stored = await readStoredTransfers(sql, ids);
  return new Map([...stored].map(([id, { record }]) => [id, record]));
}
