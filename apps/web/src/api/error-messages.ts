import { isMeridianError, MeridianError, type MeridianErrorCode } from '@meridian/client';
import type { ReactNode } from 'react';

/** Per-screen wording for some codes: a text, or a function of the error. */
export type ErrorMessages = Partial<Record<MeridianErrorCode, string | ((error: MeridianError) => string)>>;

/** "30 seconds", "2 minutes", "1 hour". */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

const outOfDate = 'This version of the dashboard is out of date. Reload the page.';

/** The wording every screen starts from, one per code the API or the client can answer. */
const DEFAULT_MESSAGES: Record<MeridianErrorCode, string | ((error: MeridianError) => string)> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'You are not allowed to do this.',
  // Meridian's input refusals are written for people ("name is 1 to 60 printable characters.").
  BAD_USER_INPUT: (error) => error.message,
  NOT_FOUND: 'We could not find that. It may have been closed or removed.',
  CONFLICT: (error) => error.message,
  IDEMPOTENCY_KEY_REUSED: 'This request was already sent with different details. Check before trying again.',
  INSUFFICIENT_FUNDS: 'There is not enough money in the account.',
  LIMIT_EXCEEDED: 'This is over your limit.',
  RATE_LIMITED: (error) =>
    error.retryAfter !== undefined ? `Too many attempts. Try again in ${describeWait(error.retryAfter)}.` : 'Too many attempts. Wait a moment and try again.',
  QUERY_TOO_COMPLEX: outOfDate,
  PERSISTED_QUERY_NOT_FOUND: outOfDate,
  PERSISTED_QUERY_ID_REQUIRED: outOfDate,
  GRAPHQL_PARSE_FAILED: outOfDate,
  GRAPHQL_VALIDATION_FAILED: outOfDate,
  REQUEST_TOO_LARGE: 'That is too large to send.',
  INVALID_CODE: (error) => {
    const left = error.errors[0]?.extensions?.attemptsRemaining;
    return `That code is not right, or it has expired.${typeof left === 'number' ? ` ${left} attempt${left === 1 ? '' : 's'} left.` : ''}`;
  },
  MFA_REQUIRED: 'Confirm it is you with a second factor.',
  STEP_UP_REQUIRED: 'Confirm it is you with a second factor to do this.',
  SERVICE_UNAVAILABLE: 'Meridian is busy right now. Try again in a moment.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side.',
  NETWORK_ERROR: 'We could not reach Meridian. Check your connection and try again.',
  BAD_RESPONSE: 'Meridian answered unexpectedly. Try again in a moment.',
};

/** Codes whose message ends with the request id, for support. */
const WITH_REFERENCE = new Set<MeridianErrorCode>(['INTERNAL_SERVER_ERROR', 'BAD_RESPONSE']);

/** What to tell a person about a failed call: the screen's wording for its code, else the default; never a stack trace. */
export function errorMessage(error: unknown, overrides: ErrorMessages = {}): string {
  if (!(error instanceof MeridianError)) return DEFAULT_MESSAGES.INTERNAL_SERVER_ERROR as string;
  const wording = overrides[error.code] ?? DEFAULT_MESSAGES[error.code];
  const text = typeof wording === 'function' ? wording(error) : wording;
  return WITH_REFERENCE.has(error.code) && error.requestId ? `${text} (reference ${error.requestId})` : text;
}

/** The input field a BAD_USER_INPUT names (`extensions.field`), if any. */
export function errorField(error: unknown): string | undefined {
  const field = isMeridianError(error, 'BAD_USER_INPUT') ? error.errors[0]?.extensions?.field : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** The field a BAD_USER_INPUT refusal names, when it is one of the form's `fields`: the form shows it there. */
export function refusedField<F extends string>(error: unknown, fields: ReadonlySet<F> | readonly F[]): F | undefined {
  const field = errorField(error);
  if (field === undefined) return undefined;
  return (fields instanceof Set ? fields.has(field as F) : (fields as readonly string[]).includes(field)) ? (field as F) : undefined;
}

/** A mutation's `onError` that puts a refusal naming one of `fields` under that field of `form`. */
export function showOnField(form: { setFieldError: (path: string, error: ReactNode) => void }, fields: ReadonlySet<string> | readonly string[]) {
  return (error: unknown) => {
    const field = refusedField(error, fields);
    if (field) form.setFieldError(field, errorMessage(error));
  };
}

/** The refusal's `extensions.reason`, if any (e.g. SIGN_IN_LOCKED, MFA_TOKEN_INVALID). */
export function errorReason(error: unknown): string | undefined {
  const reason = error instanceof MeridianError ? error.errors[0]?.extensions?.reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}
