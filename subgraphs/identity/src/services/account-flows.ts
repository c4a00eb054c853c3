import { createBackgroundSender, type BackgroundSender, type Logger, type Notifier } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from '../config';
import { DEFAULT_ACCOUNT_TOKEN_POLICY, type AccountTokenPolicy } from '../domain/account-token';
import { AccountMailer } from './account-mailer';
import { EmailVerificationService } from './email-verification-service';
import { PasswordService } from './password-service';
import { RegistrationService } from './registration-service';
import type { SignInThrottle } from './sign-in-throttle';

/** What {@link createAccountFlows} builds on. */
export interface AccountFlowsOptions {
  config: Pick<IdentityConfig, 'NODE_ENV' | 'IDENTITY_PUBLIC_WEB_URL'>;
  db: DataSource;
  notifier: Notifier;
  throttle: SignInThrottle;
  logger: Logger;
  /** Default {@link DEFAULT_ACCOUNT_TOKEN_POLICY}. */
  policy?: AccountTokenPolicy;
}

/** Registration, email verification and passwords, and the sender their emails leave through. */
export interface AccountFlows {
  registration: RegistrationService;
  emailVerification: EmailVerificationService;
  passwords: PasswordService;
  /** Emails go out after the answer; `settled()` waits for those queued (a graceful stop, tests). */
  mail: BackgroundSender;
}

/** Where email links lead outside production when IDENTITY_PUBLIC_WEB_URL is unset: the web BFF's default port. */
const DEVELOPMENT_WEB_URL = 'http://localhost:4000';

/** Builds the account flows. Throws at start-up in production without IDENTITY_PUBLIC_WEB_URL. */
export function createAccountFlows(options: AccountFlowsOptions): AccountFlows {
  const { config, db, throttle } = options;
  if (!config.IDENTITY_PUBLIC_WEB_URL && config.NODE_ENV === 'production') {
    throw new Error('IDENTITY_PUBLIC_WEB_URL must be set in production: the links in verification and reset emails lead there');
  }
  const policy = options.policy ?? DEFAULT_ACCOUNT_TOKEN_POLICY;
  const mail = createBackgroundSender({ notifier: options.notifier, logger: options.logger });
  const mailer = new AccountMailer(mail, {
    webUrl: (config.IDENTITY_PUBLIC_WEB_URL ?? DEVELOPMENT_WEB_URL).replace(/\/+$/, ''),
    verificationTtlHours: Math.round(policy.emailVerificationTtlMs / 3_600_000),
    resetTtlMinutes: Math.round(policy.passwordResetTtlMs / 60_000),
  });
  const emailVerification = new EmailVerificationService(db, mailer, throttle, policy);
  return {
    registration: new RegistrationService(db, emailVerification, mailer),
    emailVerification,
    passwords: new PasswordService(db, mailer, throttle, policy),
    mail,
  };
}
