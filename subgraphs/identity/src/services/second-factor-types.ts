// The shapes second factors take and answer, apart from the service that checks them (second-factors.ts).
import type { DomainError } from '@meridian/platform';
import type { MfaChannel } from '../domain/mfa';

/** What a one-time code is for: a sign-in attempt (its challenge id) or a session's step-up (its session id). */
export interface CodeSubject {
  purpose: 'SIGN_IN' | 'STEP_UP';
  subjectId: string;
}

/** The user as second factors need them. */
export interface FactorUser {
  id: string;
  email: string;
  phone: string | null;
}

/** What `sendSignInCode` and `requestStepUpCode` answer. */
export interface CodeSent {
  channel: MfaChannel;
  /** The recipient, masked: `j***@example.com`, `+44*******123`. */
  sentTo: string;
  expiresAt: Date;
  resendAfter: Date;
}

/** A second factor checked: accepted, or refused with the error to answer and whether it counted as a wrong guess. */
export type FactorVerdict = { ok: true } | { ok: false; error: DomainError; counted: boolean };

/** The stored TOTP factor of a user. */
export interface TotpFactorRow {
  secretSealed: string;
  status: 'PENDING' | 'ACTIVE';
  lastCounter: number | null;
  confirmedAt: Date | null;
}
