/** A DataSource or a transaction's EntityManager: anything that runs SQL. */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<any>;
}

/** A row as pg returns it. */
export type Row = Record<string, unknown>;

/** A timestamp column as a Date (pg gives Dates; PGlite sometimes strings). */
export const toDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** A nullable timestamp column. */
export const toDateOrNull = (value: unknown): Date | null => (value === null || value === undefined ? null : toDate(value));

/**
 * The rows of an UPDATE or DELETE … RETURNING: TypeORM answers those as
 * `[rows, affected]`, SELECT and INSERT as the rows.
 */
export function returnedRows(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return result as Row[];
}
