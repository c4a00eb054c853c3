import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';

/** Reads the SQLSTATE from a pg or TypeORM error, if there is one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The constraint a pg or TypeORM error names, if any. */
export function violatedConstraint(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const constraint = e.driverError?.constraint ?? e.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** Unique violation (23505): the row already exists. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (sqlState(err) !== '23505') return false;
  return !constraint || violatedConstraint(err) === constraint;
}

/** What a subgraph's own constraints and SQLSTATEs mean in its domain; they win over the general meanings. */
export interface PostgresMeanings {
  /** By constraint name, e.g. `users_email_key` → CONFLICT naming the email. */
  constraints?: Record<string, () => DomainError>;
  /** By SQLSTATE, e.g. `22003` → BAD_USER_INPUT naming the amount. */
  states?: Record<string, () => DomainError>;
}

const busy = () => new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is busy and nothing was written. Try again.');

/** What each SQLSTATE means to a client when the subgraph gives it no meaning of its own. */
const GENERAL: Record<string, () => DomainError> = {
  '23505': () => new DomainError(ErrorCode.CONFLICT, 'This record already exists.'),
  '23502': () => new DomainError(ErrorCode.BAD_USER_INPUT, 'The input is not valid.'),
  '23514': () => new DomainError(ErrorCode.BAD_USER_INPUT, 'The input is not valid.'),
  '22P02': () => new DomainError(ErrorCode.BAD_USER_INPUT, 'The input is not valid.'),
  '22001': () => new DomainError(ErrorCode.BAD_USER_INPUT, 'A value is too long.'),
  '22003': () => new DomainError(ErrorCode.BAD_USER_INPUT, 'A number is out of range.'),
  // Serialization failures and deadlocks left after retries, lock and statement timeouts: nothing was written.
  '40001': busy,
  '40P01': busy,
  '55P03': busy,
  '57014': busy,
};

/**
 * The one mapping of PostgreSQL errors to domain errors: the subgraph's
 * meaning of the violated constraint, else of the SQLSTATE, else the general
 * one; undefined for anything else (a lost connection, a bug), which the
 * caller rethrows and the error masking hides.
 */
export function mapPostgresError(err: unknown, meanings: PostgresMeanings = {}): DomainError | undefined {
  const state = sqlState(err);
  if (state === undefined) return undefined;
  const constraint = violatedConstraint(err);
  const meaning = (constraint && meanings.constraints?.[constraint]) || meanings.states?.[state] || GENERAL[state];
  return meaning?.();
}
