import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';

/** Reads the SQLSTATE from a pg or TypeORM error, if there is one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Unique violation (23505): the row already exists. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (sqlState(err) !== '23505') return false;
  if (!constraint) return true;
  const e = err as { constraint?: string; driverError?: { constraint?: string } };
  return (e.driverError?.constraint ?? e.constraint) === constraint;
}

/**
 * Maps PostgreSQL integrity errors to domain errors; returns undefined for
 * anything else so the caller can rethrow and let it be masked.
 */
export function mapPostgresError(err: unknown): DomainError | undefined {
  switch (sqlState(err)) {
    case '23505':
      return new DomainError(ErrorCode.CONFLICT, 'This record already exists.');
    case '23502':
    case '23514':
    case '22P02':
    case '22003':
      return new DomainError(ErrorCode.BAD_USER_INPUT, 'The input is not valid.');
    case '40001':
    case '40P01':
      return new DomainError(ErrorCode.CONFLICT, 'The change conflicted with another one. Try again.');
    default:
      return undefined;
  }
}
