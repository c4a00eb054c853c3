import { MeridianError, type GraphQLErrorEntry } from './meridian-error';

/** A second factor the API accepts (`MfaMethod`). */
export type SecondFactorMethod = 'TOTP' | 'RECOVERY_CODE' | 'EMAIL' | 'SMS';

/**
 * What a sign-in answered with MFA_REQUIRED carries: the password was right,
 * and `completeSignIn(mfaToken, method, code)` (the web: `POST /auth/mfa`)
 * finishes it with one of `methods`; `sendSignInCode(mfaToken, channel)` sends
 * an email or SMS code first. The token works for one sign-in, until `expiresAt`.
 */
export interface MfaChallenge {
  mfaToken: string;
  methods: SecondFactorMethod[];
  /** ISO 8601 instant. */
  expiresAt?: string;
}

/**
 * What an operation answered with STEP_UP_REQUIRED carries: it needs a second
 * factor from the last `maxAgeSeconds`. Call `stepUp(method, code)` (the web:
 * `POST /auth/step-up`), after `requestStepUpCode(channel)` for an email or SMS
 * code, then send the operation again (with the new access token on mobile,
 * and the same idempotency key for a payment).
 */
export interface StepUpChallenge {
  maxAgeSeconds: number;
  methods: SecondFactorMethod[];
  /** The operation that asked, e.g. `createPayee`. */
  action?: string;
}

/** The `errors` of a MeridianError, or of a response body such as `POST /auth/login`'s. */
function errorsOf(error: unknown): GraphQLErrorEntry[] {
  if (error instanceof MeridianError) return error.errors;
  const errors = (error as { errors?: unknown } | null | undefined)?.errors;
  return Array.isArray(errors) ? (errors as GraphQLErrorEntry[]) : [];
}

function extensionsWith(error: unknown, code: string): Record<string, unknown> | undefined {
  return errorsOf(error).find((entry) => entry.extensions?.code === code)?.extensions;
}

const methodsOf = (value: unknown): SecondFactorMethod[] => (Array.isArray(value) ? value.filter((m): m is SecondFactorMethod => typeof m === 'string') : []);

/** The MFA_REQUIRED challenge in a MeridianError or a response body, if there is one. */
export function mfaChallengeOf(error: unknown): MfaChallenge | undefined {
  const extensions = extensionsWith(error, 'MFA_REQUIRED');
  if (!extensions || typeof extensions.mfaToken !== 'string') return undefined;
  return {
    mfaToken: extensions.mfaToken,
    methods: methodsOf(extensions.methods),
    expiresAt: typeof extensions.expiresAt === 'string' ? extensions.expiresAt : undefined,
  };
}

/** The STEP_UP_REQUIRED challenge in a MeridianError or a response body, if there is one. */
export function stepUpChallengeOf(error: unknown): StepUpChallenge | undefined {
  const extensions = extensionsWith(error, 'STEP_UP_REQUIRED');
  if (!extensions) return undefined;
  return {
    maxAgeSeconds: typeof extensions.maxAgeSeconds === 'number' ? extensions.maxAgeSeconds : 0,
    methods: methodsOf(extensions.methods),
    action: typeof extensions.action === 'string' ? extensions.action : undefined,
  };
}
