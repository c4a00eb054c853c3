import { errors, returnedRows, uuidv7, type Queryable } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { validateCategoryRule, type CategoryRule, type CategoryRuleInput } from '../domain/categorize';
import { isDetailedCategory, primaryOf } from '../domain/taxonomy';
import { categoriseWith, toRule, type Enrichment, type RuleRow } from './enrichment';

/** A transaction row as re-categorisation reads it. */
interface CandidateRow {
  transfer_id: string;
  account_id: string;
  description: string;
  amount: string;
  mcc: string | null;
  code: string;
  own_transfer_with: string | null;
  category_source: string;
}

/** How many transactions are re-categorised per statement. */
const BATCH = 500;

/**
 * The customer's say over categories: rules applied to past and future
 * transactions, and a category chosen for one transaction. Past transactions
 * a rule may match are found in SQL (same merchant, description containing
 * the pattern's text, amount in range) and decided again in Node with all of
 * the customer's rules, so precedence is the same as for new transactions.
 */
export class CategoryRules {
  constructor(
    private readonly db: DataSource,
    private readonly enrichment: Enrichment,
  ) {}

  /** The customer's rules, newest first. */
  list(userId: string): Promise<CategoryRule[]> {
    return this.enrichment.rules(this.db, userId);
  }

  /** Makes a rule and applies it to the customer's past transactions. Errors: BAD_USER_INPUT with `field`. */
  async create(userId: string, input: CategoryRuleInput): Promise<CategoryRule> {
    const valid = validateCategoryRule(input);
    const count = await this.db.query(`SELECT count(*)::int AS n FROM insights.category_rules WHERE user_id = $1`, [userId]);
    if ((count[0] as { n: number }).n >= 200) throw errors.badInput('You can keep at most 200 category rules; delete one first.', { field: 'category' });
    const [row]: RuleRow[] = await this.db.query(
      `INSERT INTO insights.category_rules (id, user_id, merchant_key, pattern, min_amount, max_amount, category)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, user_id, merchant_key, pattern, min_amount::text, max_amount::text, category, created_at`,
      [uuidv7(), userId, valid.merchantKey ?? null, valid.pattern ?? null, valid.minAmount?.toString() ?? null, valid.maxAmount?.toString() ?? null, valid.category],
    );
    const rule = toRule(row);
    await this.reapply(userId, candidatesOf(rule));
    return rule;
  }

  /** Deletes a rule; the transactions it decided are decided again without it. Errors: NOT_FOUND. */
  async remove(userId: string, id: string): Promise<void> {
    const deleted = returnedRows(await this.db.query(`DELETE FROM insights.category_rules WHERE id = $1 AND user_id = $2 RETURNING id`, [id, userId]));
    if (deleted.length === 0) throw errors.notFound('Category rule not found.');
    await this.reapply(userId, { sql: 'rule_id = $2', params: [id] });
  }

  /**
   * Gives one transaction a category (it stays the customer's choice), or with
   * `applyToMerchant` makes a rule for its merchant and applies it.
   * Errors: NOT_FOUND, BAD_USER_INPUT (`category`, or no merchant to apply to).
   */
  async recategorize(userId: string, p: { transferId: string; accountId: string; category: string; applyToMerchant: boolean }): Promise<{ updated: number; rule: CategoryRule | null }> {
    if (!isDetailedCategory(p.category)) throw errors.badInput(`Unknown category "${String(p.category).slice(0, 80)}".`, { field: 'category' });
    const [tx]: { merchant_key: string | null; merchant_name: string | null }[] = await this.db.query(
      `SELECT merchant_key, merchant_name FROM insights.transactions WHERE (transfer_id = $1 OR settled_by = $1) AND account_id = $2 AND user_id = $3`,
      [p.transferId, p.accountId, userId],
    );
    if (!tx) throw errors.notFound('Transaction not found.');
    if (p.applyToMerchant) {
      if (!tx.merchant_key && !tx.merchant_name) throw errors.badInput('This transaction has no merchant to apply the category to.', { field: 'applyToMerchant' });
      // A known merchant by its key; any other by its cleaned name found in the description.
      const rule = await this.create(userId, tx.merchant_key ? { merchantKey: tx.merchant_key, category: p.category } : { pattern: tx.merchant_name, category: p.category });
      const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM insights.transactions WHERE user_id = $1 AND rule_id = $2`, [userId, rule.id]);
      return { updated: n as number, rule };
    }
    const updated = returnedRows(
      await this.db.query(
        `UPDATE insights.transactions SET category = $4, primary_category = $5, category_source = 'USER', rule_id = NULL, updated_at = now()
         WHERE (transfer_id = $1 OR settled_by = $1) AND account_id = $2 AND user_id = $3 RETURNING transfer_id`,
        [p.transferId, p.accountId, userId, p.category, primaryOf(p.category)],
      ),
    );
    return { updated: updated.length, rule: null };
  }

  /** Decides again the category of the customer's transactions that `where` selects (not those they chose themselves). */
  private async reapply(userId: string, where: { sql: string; params: unknown[] }): Promise<void> {
    const rules = await this.enrichment.rules(this.db, userId);
    for (let after = ''; ; ) {
      const rows: CandidateRow[] = await this.db.query(
        `SELECT transfer_id, account_id, description, amount::text AS amount, mcc, code, own_transfer_with, category_source FROM insights.transactions
         WHERE user_id = $1 AND category_source <> 'USER' AND (${where.sql}) AND (transfer_id::text || account_id::text) > $${where.params.length + 2}
         ORDER BY transfer_id::text || account_id::text LIMIT ${BATCH}`,
        [userId, ...where.params, after],
      );
      if (rows.length === 0) return;
      await this.db.transaction(async (m) => {
        for (const r of rows) await this.write(m, r, rules);
      });
      after = rows[rows.length - 1].transfer_id + rows[rows.length - 1].account_id;
    }
  }

  private async write(m: Queryable, r: CandidateRow, rules: readonly CategoryRule[]): Promise<void> {
    const enriched = categoriseWith(rules, {
      description: r.description,
      amount: BigInt(r.amount),
      mcc: r.mcc,
      code: r.code,
      ownTransfer: r.own_transfer_with === null ? null : { otherAccountType: r.own_transfer_with },
    });
    await m.query(
      `UPDATE insights.transactions SET category = $3, primary_category = $4, category_source = $5, rule_id = $6, updated_at = now()
       WHERE transfer_id = $1 AND account_id = $2 AND category_source <> 'USER'`,
      [r.transfer_id, r.account_id, enriched.category, enriched.primary, enriched.source, enriched.ruleId ?? null],
    );
  }
}

/** The SQL that finds transactions a new rule may match: a superset, decided exactly by the categoriser. */
function candidatesOf(rule: CategoryRule): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length + 1}`;
  };
  if (rule.merchantKey) conditions.push(`merchant_key = ${param(rule.merchantKey)}`);
  if (rule.pattern) {
    // Each literal piece of the pattern, in order, as LIKE text (its own % and _ escaped).
    const like = `%${rule.pattern
      .split('*')
      .map((piece) => piece.replace(/[\\%_]/g, (c) => `\\${c}`))
      .join('%')}%`;
    const p = param(like);
    conditions.push(`(regexp_replace(lower(description), '\\s+', ' ', 'g') LIKE ${p} OR lower(coalesce(merchant_name, '')) LIKE ${p})`);
  }
  if (rule.minAmount != null) conditions.push(`abs(amount) >= ${param(rule.minAmount.toString())}::bigint`);
  if (rule.maxAmount != null) conditions.push(`abs(amount) <= ${param(rule.maxAmount.toString())}::bigint`);
  return { sql: conditions.join(' AND ') || 'true', params };
}
