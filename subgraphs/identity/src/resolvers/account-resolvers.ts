import { requireRecentMfa, requireUser, type SubgraphContext } from '@meridian/platform';
import type { MutationResolvers } from '../__generated__/resolvers-types';
import type { RequestOrigin } from '../services/audit-log';
import type { EmailVerificationService } from '../services/email-verification-service';
import type { PasswordService } from '../services/password-service';
import type { RegistrationService } from '../services/registration-service';

/** The services behind registration, email verification and passwords. */
export interface AccountFlowServices {
  registration: RegistrationService;
  emailVerification: EmailVerificationService;
  passwords: PasswordService;
  /** How recent a second factor must be to change the email address or the password, in seconds. */
  stepUpMaxAgeSeconds: number;
}

const origin = (ctx: SubgraphContext): RequestOrigin => ({ ip: ctx.clientIp, userAgent: ctx.userAgent, requestId: ctx.requestId });

/** Registration, email verification, email change, password reset and change: one service call each. */
export function accountMutations(services: AccountFlowServices): MutationResolvers {
  // Changing how the account signs in needs a second factor from the last few minutes, besides the password.
  const recent = (ctx: SubgraphContext, action: string) => requireRecentMfa(ctx, { maxAgeSeconds: services.stepUpMaxAgeSeconds, action });
  return {
    register: (_parent, { input }, ctx) => services.registration.register(input, origin(ctx)),
    verifyEmail: (_parent, { token }, ctx) => services.emailVerification.verify(token, origin(ctx)),
    resendEmailVerification: (_parent, _args, ctx) => services.emailVerification.resend(requireUser(ctx).userId, origin(ctx)),
    changeEmail: (_parent, { newEmail, currentPassword }, ctx) =>
      services.emailVerification.changeEmail(recent(ctx, 'changeEmail').userId, newEmail, currentPassword, origin(ctx)),
    changePassword: (_parent, { currentPassword, newPassword }, ctx) =>
      services.passwords.changePassword(recent(ctx, 'changePassword'), currentPassword, newPassword, origin(ctx)),
    requestPasswordReset: (_parent, { email }, ctx) => services.passwords.requestReset(email, origin(ctx)),
    resetPassword: (_parent, { token, newPassword }, ctx) => services.passwords.resetWithToken(token, newPassword, origin(ctx)),
    resetPasswordWithCode: (_parent, { email, code, newPassword }, ctx) => services.passwords.resetWithCode(email, code, newPassword, origin(ctx)),
  };
}
