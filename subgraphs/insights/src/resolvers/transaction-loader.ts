import type { DataSource } from 'typeorm';
import { isUuid } from '@meridian/platform';
import type { TransactionModel } from './models';

/** The viewer's transactions in the read model by (transfer, account), found by the transfer's id or by the post that settled it. */
export async function loadTransactions(db: DataSource, refs: readonly { transferId: string; accountId: string }[], userId: string): Promise<Map<string, TransactionModel>> {
  const valid = refs.filter((r) => isUuid(r.transferId) && isUuid(r.accountId));
  if (valid.length === 0) return new Map();
  // A settled hold is listed by banking under the post that settled it: either id finds the row.
  const rows: { transfer_id: string; settled_by: string | null; account_id: string; category: string; category_source: string; merchant_key: string | null; merchant_name: string | null }[] =
    await db.query(
      `SELECT t.transfer_id, t.settled_by, t.account_id, t.category, t.category_source, t.merchant_key, t.merchant_name
       FROM insights.transactions t JOIN unnest($1::uuid[], $2::uuid[]) AS r (transfer_id, account_id)
         ON (t.transfer_id = r.transfer_id OR t.settled_by = r.transfer_id) AND t.account_id = r.account_id
       WHERE t.user_id = $3`,
      [valid.map((r) => r.transferId), valid.map((r) => r.accountId), userId],
    );
  const found = new Map<string, TransactionModel>();
  for (const r of rows) {
    const model = { transferId: r.transfer_id, accountId: r.account_id, category: r.category, categorySource: r.category_source, merchantKey: r.merchant_key, merchantName: r.merchant_name };
    found.set(`${r.transfer_id}|${r.account_id}`, model);
    if (r.settled_by) found.set(`${r.settled_by}|${r.account_id}`, { ...model, transferId: r.settled_by });
  }
  return found;
}
