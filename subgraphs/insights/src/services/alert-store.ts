import { decodeKeysetCursor, encodeKeysetCursor, errors, isUuid, returnedRows, uuidv7, type Queryable } from '@meridian/platform';

/** An alert as stored. */
export interface AlertRecord {
  id: string;
  type: 'UNUSUAL_SPENDING' | 'LOW_BALANCE_AHEAD' | 'BUDGET_EXCEEDED' | 'NEW_SUBSCRIPTION';
  severity: 'INFO' | 'WARNING';
  title: string;
  body: string;
  createdAt: Date;
  read: boolean;
}

/** A page of alerts, newest first. */
export interface AlertPage {
  items: AlertRecord[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  unreadCount: number;
}

/** A new alert: raised once per customer and dedupe key, however often its rule finds it again. */
export interface NewAlert {
  type: AlertRecord['type'];
  dedupeKey: string;
  severity: AlertRecord['severity'];
  title: string;
  body: string;
  data?: Record<string, unknown>;
}

/** The opaque cursor of an alert in the feed. */
export function encodeAlertCursor(a: Pick<AlertRecord, 'createdAt' | 'id'>): string {
  return encodeKeysetCursor(a.createdAt, a.id);
}

/** The alerts feed. */
export class AlertStore {
  /** Raises alerts; one already raised under its dedupe key is left as it is. Answers how many are new. */
  async raise(q: Queryable, userId: string, alerts: readonly NewAlert[]): Promise<number> {
    let raised = 0;
    for (const a of alerts) {
      const rows = returnedRows(
        await q.query(
          `INSERT INTO insights.alerts (id, user_id, type, dedupe_key, severity, title, body, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
           ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id`,
          [uuidv7(), userId, a.type, a.dedupeKey, a.severity, a.title, a.body, JSON.stringify(a.data ?? {})],
        ),
      );
      raised += rows.length;
    }
    return raised;
  }

  /** A page of the customer's alerts, newest first. Errors: BAD_USER_INPUT (`first`, `after`). */
  async page(q: Queryable, userId: string, first: number, after: string | null | undefined): Promise<AlertPage> {
    if (!Number.isInteger(first) || first < 1 || first > 100) throw errors.badInput('first must be between 1 and 100.', { field: 'first' });
    const cursor = after ? decodeKeysetCursor(after) : null;
    const rows: { id: string; type: AlertRecord['type']; severity: AlertRecord['severity']; title: string; body: string; created_at: Date; read_at: Date | null }[] =
      await q.query(
        `SELECT id, type, severity, title, body, created_at, read_at FROM insights.alerts
         WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
         ORDER BY created_at DESC, id DESC LIMIT $4`,
        [userId, cursor?.at ?? null, cursor?.id ?? null, first + 1],
      );
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM insights.alerts WHERE user_id = $1 AND read_at IS NULL`, [userId]);
    return {
      items: rows.slice(0, first).map((r) => ({ id: r.id, type: r.type, severity: r.severity, title: r.title, body: r.body, createdAt: new Date(r.created_at), read: r.read_at !== null })),
      hasNextPage: rows.length > first,
      hasPreviousPage: cursor !== null,
      unreadCount: n as number,
    };
  }

  /** Marks the customer's alerts read; answers how many changed. Errors: BAD_USER_INPUT (more than 100 ids). */
  async markRead(q: Queryable, userId: string, ids: readonly string[]): Promise<number> {
    if (ids.length > 100) throw errors.badInput('Mark at most 100 alerts at once.', { field: 'ids' });
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return 0;
    const rows = returnedRows(
      await q.query(`UPDATE insights.alerts SET read_at = now() WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL RETURNING id`, [userId, valid]),
    );
    return rows.length;
  }
}
