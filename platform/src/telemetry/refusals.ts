import { isErrorCode } from '../errors/error-code';

/** Codes that mean the service failed rather than refused the request. */
const FAILURE_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/**
 * Whether `code` (a DomainError's `extensions.code`, which the SDK also records as an
 * exception's `exception.type`) is an expected refusal, such as BAD_USER_INPUT or
 * RATE_LIMITED: the request was answered as designed, so it is not a failure to keep a
 * trace for, and its message (written for the user, and quoting what they sent) stays out of spans.
 */
export function isRefusalCode(code: unknown): code is string {
  return isErrorCode(code) && !FAILURE_CODES.has(code);
}
