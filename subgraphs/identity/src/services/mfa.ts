import type { DataProtection, Notifier } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from '../config';
import { DEFAULT_MFA_POLICY, type MfaPolicy } from '../domain/mfa';
import type { MfaServices } from '../resolvers/mfa';
import { MfaSignIn } from './mfa-sign-in';
import { SecondFactors } from './second-factors';
import type { SessionService } from './session-service';
import { StepUps } from './step-up';
import { TotpEnrolments } from './totp-enrolment';

/** What second factors are built from. */
export interface MfaDeps {
  config: IdentityConfig;
  db: DataSource;
  /** Identity's notifier: email and SMS codes go through it. */
  notifier: Notifier;
  /** Seals TOTP secrets and keys the hashes of codes. */
  protection: DataProtection;
  sessions: SessionService;
  /** Default {@link DEFAULT_MFA_POLICY}. */
  policy?: Partial<MfaPolicy>;
}

/**
 * Second factors, MFA sign-in and step-up, wired together; sign-in asks for a
 * second factor from now on where the user or their role needs one.
 */
export function createMfa(deps: MfaDeps): MfaServices {
  const factors = new SecondFactors(deps.protection, deps.notifier, { ...DEFAULT_MFA_POLICY, ...deps.policy });
  const totp = new TotpEnrolments(deps.db, factors, deps.config.IDENTITY_MFA_REQUIRED_ROLES);
  const mfaSignIn = new MfaSignIn(deps.db, factors, totp, deps.sessions);
  deps.sessions.secondFactor = mfaSignIn;
  return { totp, mfaSignIn, stepUps: new StepUps(deps.db, factors, deps.sessions), stepUpMaxAgeSeconds: deps.config.STEP_UP_MAX_AGE_SECONDS };
}
