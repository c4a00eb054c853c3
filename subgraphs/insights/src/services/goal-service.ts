import { DomainError, ErrorCode, errors, isUuid, parsePositiveAmount, returnedRows, uuidv7, type CurrencyCode } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { goalProgress, type GoalProgress } from '../domain/goals';
import type { AccountDirectory, KnownAccount } from './accounts';
import { localDate } from './date-range';
import type { InsightsQueries } from './insights-queries';

/** A savings goal as stored, with its progress. */
export interface GoalView {
  id: string;
  name: string;
  target: bigint;
  currency: CurrencyCode;
  targetDate: string | null;
  accountId: string;
  saved: bigint;
  progress: GoalProgress;
}

/** Savings goals on the customer's accounts, with their progress from the read model's balances. */
export class GoalService {
  constructor(
    private readonly db: DataSource,
    private readonly accounts: AccountDirectory,
    private readonly queries: InsightsQueries,
    /** Today as a local date in the bank's time zone. */
    private readonly today: () => string,
  ) {}

  /** The customer's goals with their progress, oldest first. */
  async goals(userId: string, id?: string): Promise<GoalView[]> {
    const rows: { id: string; name: string; target_amount: string; currency: string; target_date: string | null; account_id: string }[] = await this.db.query(
      `SELECT id, name, target_amount::text AS target_amount, currency, to_char(target_date, 'YYYY-MM-DD') AS target_date, account_id
       FROM insights.goals WHERE user_id = $1 AND archived_at IS NULL AND ($2::uuid IS NULL OR id = $2::uuid) ORDER BY created_at, id`,
      [userId, id ?? null],
    );
    if (rows.length === 0) return [];
    const balances = await this.queries.accountBalances(this.db, userId);
    const today = this.today();
    return rows.map((r) => {
      const target = BigInt(r.target_amount);
      const balance = balances.get(r.account_id)?.balance ?? 0n;
      const saved = balance < 0n ? 0n : balance;
      // Without a date the goal has no pace to keep: progress only.
      const progress = goalProgress({ target, saved, targetDate: r.target_date ?? today, today });
      return { id: r.id, name: r.name, target, currency: r.currency as CurrencyCode, targetDate: r.target_date, accountId: r.account_id, saved, progress };
    });
  }

  /** Makes a goal on one of the customer's accounts. Errors: BAD_USER_INPUT with `field`, NOT_FOUND (`accountId`). */
  async createGoal(userId: string, input: { name: string; targetAmount: string; targetDate?: string | null; accountId: string }): Promise<GoalView> {
    const name = goalName(input.name);
    // Asked of banking when the read model has not seen the account move money yet.
    const known = isUuid(input.accountId) ? await this.accounts.resolve(this.db, [input.accountId]).catch(notFoundAsEmpty) : new Map();
    const account = known.get(input.accountId);
    if (!account || account.userId !== userId) throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found.', { field: 'accountId' });
    const target = parsePositiveAmount(input.targetAmount, account.currency as CurrencyCode, 'targetAmount');
    const targetDate = input.targetDate ? this.futureDate(input.targetDate) : null;
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM insights.goals WHERE user_id = $1 AND archived_at IS NULL`, [userId]);
    if ((n as number) >= 50) throw errors.badInput('You can keep at most 50 goals.', { field: 'name' });
    const id = uuidv7();
    await this.db.query(
      `INSERT INTO insights.goals (id, user_id, name, target_amount, currency, target_date, account_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, userId, name, target.toString(), account.currency, targetDate, account.id],
    );
    return (await this.goals(userId, id))[0];
  }

  /** Changes a goal. Errors: NOT_FOUND, BAD_USER_INPUT with `field`. */
  async updateGoal(userId: string, id: string, input: { name?: string | null; targetAmount?: string | null; targetDate?: string | null; clearTargetDate?: boolean | null }): Promise<GoalView> {
    const [goal] = await this.goals(userId, id);
    if (!goal) throw errors.notFound('Goal not found.');
    const name = input.name != null ? goalName(input.name) : goal.name;
    const target = input.targetAmount != null ? parsePositiveAmount(input.targetAmount, goal.currency, 'targetAmount') : goal.target;
    const targetDate = input.clearTargetDate ? null : input.targetDate != null ? this.futureDate(input.targetDate) : goal.targetDate;
    await this.db.query(`UPDATE insights.goals SET name = $3, target_amount = $4, target_date = $5 WHERE id = $1 AND user_id = $2`, [id, userId, name, target.toString(), targetDate]);
    return (await this.goals(userId, id))[0];
  }

  /** Deletes a goal; answers whether there was one. */
  async deleteGoal(userId: string, id: string): Promise<boolean> {
    const rows = returnedRows(await this.db.query(`UPDATE insights.goals SET archived_at = now() WHERE id = $1 AND user_id = $2 AND archived_at IS NULL RETURNING id`, [id, userId]));
    return rows.length > 0;
  }

  private futureDate(value: string): string {
    const date = localDate(value, 'targetDate');
    if (date <= this.today()) throw errors.badInput('targetDate must be after today.', { field: 'targetDate' });
    return date;
  }
}

function notFoundAsEmpty(err: unknown): Map<string, KnownAccount> {
  if (err instanceof DomainError && err.code === ErrorCode.NOT_FOUND) return new Map<string, KnownAccount>();
  throw err;
}

function goalName(value: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 60 || /[\u0000-\u001f\u007f]/.test(name)) throw errors.badInput('name is 1 to 60 printable characters.', { field: 'name' });
  return name;
}
