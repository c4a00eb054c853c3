import { errors, requireRecentMfa, requireUser, type SubgraphContext } from '@meridian/platform';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { IssuedSession } from '../domain/session';
import type { RequestOrigin } from '../services/audit-log';
import type { MfaSignIn } from '../services/mfa-sign-in';
import type { StepUps } from '../services/step-up';
import type { TotpEnrolments } from '../services/totp-enrolment';

/** The services behind second factors and step-up. */
export interface MfaServices {
  totp: TotpEnrolments;
  mfaSignIn: MfaSignIn;
  stepUps: StepUps;
  /** How recent a step-up must be for `regenerateRecoveryCodes` and `disableTotp`, in seconds. */
  stepUpMaxAgeSeconds: number;
}

/** What the identity resolvers share: the request's origin, and marking a session this response opened. */
export interface MfaResolverHelpers {
  origin(ctx: SubgraphContext): RequestOrigin;
  opened(session: IssuedSession): IssuedSession;
}

/** Second factors, MFA sign-in and step-up. Thin: arguments in, one service call, result out. */
export function mfaResolvers(services: MfaServices, { origin, opened }: MfaResolverHelpers): Resolvers {
  const recent = (ctx: SubgraphContext, action: string) => requireRecentMfa(ctx, { maxAgeSeconds: services.stepUpMaxAgeSeconds, action });
  return {
    Mutation: {
      completeSignIn: async (_parent, { mfaToken, method, code, deviceId }, ctx) =>
        opened(await services.mfaSignIn.complete(mfaToken, method, code, deviceId, origin(ctx))),
      sendSignInCode: (_parent, { mfaToken, channel }, ctx) => services.mfaSignIn.sendCode(mfaToken, channel, origin(ctx)),
      enrolTotp: (_parent, _args, ctx) => services.totp.enrol(requireUser(ctx).userId, origin(ctx)),
      confirmTotp: async (_parent, { code }, ctx) => ({ codes: await services.totp.confirm(requireUser(ctx).userId, code, origin(ctx)) }),
      regenerateRecoveryCodes: async (_parent, _args, ctx) => ({
        codes: await services.totp.regenerate(recent(ctx, 'regenerateRecoveryCodes').userId, origin(ctx)),
      }),
      disableTotp: (_parent, _args, ctx) => services.totp.disable(recent(ctx, 'disableTotp').userId, origin(ctx)),
      requestStepUpCode: (_parent, { channel }, ctx) => services.stepUps.requestCode(requireUser(ctx), channel, origin(ctx)),
      stepUp: async (_parent, { method, code }, ctx) => opened(await services.stepUps.stepUp(requireUser(ctx), method, code, origin(ctx))),
    },
    User: {
      mfa: (user, _args, ctx) => {
        if (requireUser(ctx).userId !== user.id) throw errors.forbidden('Only the user may see their second factors.');
        return services.totp.status(user);
      },
    },
  };
}
