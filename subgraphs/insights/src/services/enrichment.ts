import type { Queryable } from '@meridian/platform';
import { categorize, type Categorization, type CategoryRule } from '../domain/categorize';
import { primaryOf, type DetailedCategory } from '../domain/taxonomy';

/** A transaction as the read model enriches it: the amount is signed (money in positive). */
export interface TransactionFacts {
  description: string;
  amount: bigint;
  mcc: string | null;
  /** The ledger's code, e.g. `CARD_PAYMENT`, `SALARY`, `TRANSFER`. */
  code: string;
  /** Set when the transfer moved money between two accounts of the same customer. */
  ownTransfer?: { otherAccountType: string } | null;
}

/** A rule row as stored. */
export interface RuleRow {
  id: string;
  user_id: string;
  merchant_key: string | null;
  pattern: string | null;
  min_amount: string | null;
  max_amount: string | null;
  category: string;
  created_at: Date | string;
}

/** A stored rule as the categoriser takes it. */
export function toRule(r: RuleRow): CategoryRule {
  return {
    id: r.id,
    merchantKey: r.merchant_key,
    pattern: r.pattern,
    minAmount: r.min_amount === null ? null : BigInt(r.min_amount),
    maxAmount: r.max_amount === null ? null : BigInt(r.max_amount),
    category: r.category as DetailedCategory,
    createdAt: new Date(r.created_at),
  };
}

/**
 * Merchant and category for transactions as they enter the read model: the
 * customer's own rules first, then the merchant directory, the card network's
 * merchant category code, keywords and the kind of movement (domain/categorize).
 * A transfer between two of the customer's own accounts is a transfer whatever
 * its description says.
 */
export class Enrichment {
  /** The customer's rules, newest first. */
  async rules(q: Queryable, userId: string): Promise<CategoryRule[]> {
    const rows: RuleRow[] = await q.query(
      `SELECT id, user_id, merchant_key, pattern, min_amount::text, max_amount::text, category, created_at FROM insights.category_rules WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    return rows.map(toRule);
  }

}

/** Enriches one transaction with the given rules (for re-applying rules to many transactions at once). */
export function categoriseWith(rules: readonly CategoryRule[], tx: TransactionFacts): Categorization {
  const direction = tx.amount < 0n ? 'DEBIT' : 'CREDIT';
  const amount = tx.amount < 0n ? -tx.amount : tx.amount;
  const enriched = categorize({ description: tx.description, amount, direction, mcc: tx.mcc, kind: tx.code }, rules);
  if (!tx.ownTransfer || enriched.source === 'USER_RULE') return enriched;
  const savings = tx.ownTransfer.otherAccountType === 'SAVINGS';
  const category: DetailedCategory =
    direction === 'DEBIT' ? (savings ? 'TRANSFER_OUT_SAVINGS' : 'TRANSFER_OUT_ACCOUNT_TRANSFER') : savings ? 'TRANSFER_IN_SAVINGS' : 'TRANSFER_IN_ACCOUNT_TRANSFER';
  return { ...enriched, merchant: null, category, primary: primaryOf(category), source: 'DEFAULT' };
}
