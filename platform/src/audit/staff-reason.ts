import { errors } from '../errors/domain-error';

/** The shortest and longest reason staff may give, in characters. */
export const STAFF_REASON_LENGTH = { min: 3, max: 500 } as const;

/**
 * Why staff read or change a customer's data, as the audit logs keep it:
 * trimmed, 3 to 500 characters. Errors: BAD_USER_INPUT (`field` reason),
 * also when there is none.
 */
export function staffReason(reason: string | null | undefined): string {
  const trimmed = (reason ?? '').trim();
  if (trimmed.length < STAFF_REASON_LENGTH.min || trimmed.length > STAFF_REASON_LENGTH.max) {
    throw errors.badInput(`Give a reason of ${STAFF_REASON_LENGTH.min} to ${STAFF_REASON_LENGTH.max} characters.`, { field: 'reason' });
  }
  return trimmed;
}
