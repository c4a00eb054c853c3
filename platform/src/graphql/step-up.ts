import type { AccessTokenClaims } from '../auth';
import { DomainError, ErrorCode } from '../errors';
import { requireUser, type SubgraphContext } from './subgraph-context';

/** How long a second factor counts as recent for a sensitive operation, by default: 5 minutes. */
export const DEFAULT_STEP_UP_MAX_AGE_SECONDS = 300;

/** The second factors a user can step up with; which of them a user has is `User.mfa.methods`. */
export const STEP_UP_METHODS = ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'] as const;

/** What a sensitive operation asks of the caller's token. */
export interface StepUpRequirement {
  /** The longest time since the second factor (the token's `auth_time`), in seconds. */
  maxAgeSeconds: number;
  /** What the caller is doing, e.g. `createPayee`; echoed in `extensions.action`. */
  action: string;
}

/** Whether the token shows a second factor (`mfa` in `amr`) no older than `maxAgeSeconds`. */
export function hasRecentMfa(claims: Pick<AccessTokenClaims, 'amr' | 'authTime'>, maxAgeSeconds: number, now: number = Date.now()): boolean {
  return claims.amr.includes('mfa') && now - claims.authTime.getTime() <= maxAgeSeconds * 1000;
}

/** The STEP_UP_REQUIRED refusal for `requirement`, with what the client should do. */
export function stepUpRequired(requirement: StepUpRequirement): DomainError {
  const minutes = Math.round(requirement.maxAgeSeconds / 60);
  const window = requirement.maxAgeSeconds % 60 === 0 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${requirement.maxAgeSeconds} seconds`;
  return new DomainError(
    ErrorCode.STEP_UP_REQUIRED,
    `This needs a second factor from the last ${window}. Confirm it is you with stepUp (an authenticator code, a recovery code, ` +
      'or a code from requestStepUpCode by email or SMS), then send this request again with the new access token.',
    { maxAgeSeconds: requirement.maxAgeSeconds, methods: [...STEP_UP_METHODS], action: requirement.action },
  );
}

/**
 * The signed-in user, when their token shows a recent second factor; otherwise
 * STEP_UP_REQUIRED (`extensions.maxAgeSeconds`, `methods`, `action`). Call it at the
 * start of a sensitive operation, before anything changes.
 * Errors: UNAUTHENTICATED, STEP_UP_REQUIRED.
 */
export function requireRecentMfa(context: SubgraphContext, requirement: StepUpRequirement): AccessTokenClaims {
  const user = requireUser(context);
  if (!hasRecentMfa(user, requirement.maxAgeSeconds)) throw stepUpRequired(requirement);
  return user;
}
