import { DateTimeScalar, errors, hasScope, requireUser, type SubgraphContext } from '@meridian/platform';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { IssuedSession } from '../domain/session';
import type { UserRecord } from '../domain/user';
import type { RequestOrigin } from '../services/audit-log';
import type { AccountService } from '../services/account-service';
import type { DeviceSessionService } from '../services/device-session-service';
import type { SessionCaller, SessionService } from '../services/session-service';
import type { SignInThrottle } from '../services/sign-in-throttle';
import { accountMutations, type AccountFlowServices } from './account-resolvers';
import { apiKeyResolvers, type ApiKeyServices } from './api-keys';
import { mfaResolvers, type MfaServices } from './mfa';
import { staffResolvers, type StaffServices } from './staff';
import { userLoader } from './user-loader';

/** Services the resolvers call. */
export interface IdentityServices extends AccountFlowServices, MfaServices, StaffServices, ApiKeyServices {
  accounts: AccountService;
  sessions: SessionService;
  deviceSessions: DeviceSessionService;
  signIns: SignInThrottle;
}

const origin = (ctx: SubgraphContext): RequestOrigin => ({
  ip: ctx.clientIp,
  userAgent: ctx.userAgent,
  requestId: ctx.requestId,
});

// Users reached through another subgraph's reference (not `me`, not a session the caller
// just opened) keep contact details private unless the viewer is that user or staff.
const restricted = new WeakSet<UserRecord>();

function assertMayReadContact(user: UserRecord): void {
  if (restricted.has(user)) throw errors.forbidden('Only the user and staff may read contact details.');
}

// The user of a session this response just opened (login, refreshSession), and that session:
// the caller holds its tokens but sent no access token for it yet.
const openedBy = new WeakMap<UserRecord, SessionCaller>();

function opened(session: IssuedSession): IssuedSession {
  openedBy.set(session.user, { userId: session.user.id, sessionId: session.sessionId });
  return session;
}

/**
 * Whose sessions the caller may list: only their own, from the session this
 * response opened or an interactive sign-in (`credentials:write`; an API key's
 * token has not). Errors: UNAUTHENTICATED, FORBIDDEN.
 */
function sessionViewer(user: UserRecord, ctx: SubgraphContext): SessionCaller {
  const opener = openedBy.get(user);
  const viewer = opener ?? requireUser(ctx);
  if (!opener && !requireUser(ctx).scopes.includes('credentials:write')) {
    throw errors.forbidden('Where the user is signed in is shown only to their own sign-in, not to an API key.');
  }
  if (viewer.userId !== user.id) throw errors.forbidden('Only the user may see where they are signed in.');
  return viewer;
}

/** Thin resolvers: arguments in, one service call, result out. */
export function createResolvers(services: IdentityServices): Resolvers {
  const mfa = mfaResolvers(services, { origin, opened });
  const staff = staffResolvers(services);
  const apiKeys = apiKeyResolvers(services);
  return {
    DateTime: DateTimeScalar,
    Query: {
      me: async (_parent, _args, ctx) => {
        const claims = requireUser(ctx);
        const user = await services.accounts.findById(claims.userId);
        if (!user || user.status === 'DISABLED') throw errors.unauthenticated('This account no longer exists.');
        return user;
      },
      ...staff.Query,
      ...apiKeys.Query,
    },
    Mutation: {
      ...accountMutations(services),
      ...mfa.Mutation,
      ...staff.Mutation,
      ...apiKeys.Mutation,
      login: async (_parent, { input }, ctx) =>
        opened(await services.sessions.login(input.email, input.password, input.deviceId ?? null, origin(ctx))),
      refreshSession: async (_parent, { refreshToken, deviceId }, ctx) =>
        opened(await services.sessions.refresh(refreshToken, deviceId, origin(ctx))),
      logout: (_parent, { refreshToken }, ctx) => {
        const caller = ctx.user ? { userId: ctx.user.userId, sessionId: ctx.user.sessionId } : undefined;
        if (!refreshToken && !caller && ctx.authError) throw ctx.authError;
        return services.sessions.logout(refreshToken, caller, origin(ctx));
      },
      revokeSession: (_parent, { id }, ctx) => services.deviceSessions.revoke(requireUser(ctx), id, origin(ctx)),
      // Who may (`customers:unlock`) is declared on the schema and enforced before this runs.
      unlockSignIn: async (_parent, { userId }, ctx) => {
        const [user] = await services.accounts.findByIds([userId]);
        return services.signIns.unlock(user ?? null, requireUser(ctx).userId, origin(ctx));
      },
    },
    User: {
      ...mfa.User,
      __resolveReference: async (reference, ctx) => {
        const found = await userLoader(ctx, services.accounts).load(reference.id);
        if (!found) return null;
        // A copy per reference: the restriction below belongs to this viewer only.
        const user = { ...found };
        const viewer = ctx.user;
        const privileged = viewer && (viewer.userId === user.id || hasScope(viewer, 'customers:read'));
        if (!privileged) restricted.add(user);
        return user;
      },
      email: (user) => {
        assertMayReadContact(user);
        return user.email;
      },
      emailVerified: (user) => {
        assertMayReadContact(user);
        return user.emailVerifiedAt !== null;
      },
      phone: (user) => {
        assertMayReadContact(user);
        return user.phone;
      },
      sessions: (user, _args, ctx) => {
        const viewer = sessionViewer(user, ctx);
        return services.deviceSessions.listLive(user.id, viewer.sessionId);
      },
    },
  };
}
