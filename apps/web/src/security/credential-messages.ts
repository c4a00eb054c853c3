import { describeWait, errorReason, type ErrorMessages } from '../api/error-messages';

/** A refusal of the current password (`FORBIDDEN`, `reason` WRONG_PASSWORD): shown under that field. */
export function isWrongPassword(error: unknown): boolean {
  return errorReason(error) === 'WRONG_PASSWORD';
}

export const WRONG_PASSWORD = 'That is not your current password.';

/**
 * Refusals of a change that asks for the current password (`changeEmail`, `changePassword`). Wrong
 * passwords count like failed sign-ins, so too many of them lock signing in as well.
 */
export function credentialMessages(action: string, button: string): ErrorMessages {
  return {
    STEP_UP_REQUIRED: `${action} needs you to confirm it is you. Press “${button}” to try again.`,
    RATE_LIMITED: (error) => {
      const wait = describeWait(error.retryAfter ?? 60);
      return errorReason(error) === 'SIGN_IN_LOCKED'
        ? `Too many wrong passwords: your account is locked for ${wait}. Nothing was changed.`
        : `Too many wrong passwords. Try again in ${wait}.`;
    },
    UNAUTHENTICATED: 'Your session has ended. Sign in again.',
    FORBIDDEN: (error) => (isWrongPassword(error) ? WRONG_PASSWORD : 'Your sign-in does not allow this. Sign in again with your password.'),
  };
}
