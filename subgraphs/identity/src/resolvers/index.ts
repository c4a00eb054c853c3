import { DateTimeScalar, errors, requireUser, type SubgraphContext } from '@meridian/platform';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { IssuedSession } from '../domain/session';
import { STAFF_ROLES, type UserRecord } from '../domain/user';
import type { RequestOrigin } from '../services/audit-log';
import type { AccountService } from '../services/account-service';
import type { DeviceSessionService } from '../services/device-session-service';
import type { SessionCaller, SessionService } from '../services/session-service';
import type { SignInThrottle } from '../services/sign-in-throttle';
import { userLoader } from './user-loader';

/** Services the resolvers call. */
export interface IdentityServices {
  accounts: AccountService;
  sessions: SessionService;
  deviceSessions: DeviceSessionService;
  signIns: SignInThrottle;
}

/** Staff who may end a customer's sign-in lock. */
const UNLOCKING_ROLES = new Set(['SUPPORT', 'ADMIN']);

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

/** Whose sessions the caller may list: only their own. Errors: UNAUTHENTICATED, FORBIDDEN. */
function sessionViewer(user: UserRecord, ctx: SubgraphContext): SessionCaller {
  const viewer = openedBy.get(user) ?? requireUser(ctx);
  if (viewer.userId !== user.id) throw errors.forbidden('Only the user may see where they are signed in.');
  return viewer;
}

/** Thin resolvers: arguments in, one service call, result out. */
export function createResolvers(services: IdentityServices): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query: {
      me: async (_parent, _args, ctx) => {
        const claims = requireUser(ctx);
        const user = await services.accounts.findById(claims.userId);
        if (!user || user.status === 'DISABLED') throw errors.unauthenticated('This account no longer exists.');
        return user;
      },
    },
    Mutation: {
      register: (_parent, { input }, ctx) => services.accounts.register(input, origin(ctx)),
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
      unlockSignIn: async (_parent, { userId }, ctx) => {
        const staff = requireUser(ctx);
        if (!staff.scopes.includes('staff') || !staff.roles.some((r) => UNLOCKING_ROLES.has(r))) {
          throw errors.forbidden('Only support staff may unlock sign-in.');
        }
        const [user] = await services.accounts.findByIds([userId]);
        return services.signIns.unlock(user ?? null, staff.userId, origin(ctx));
      },
    },
    User: {
      __resolveReference: async (reference, ctx) => {
        const found = await userLoader(ctx, services.accounts).load(reference.id);
        if (!found) return null;
        // A copy per reference: the restriction below belongs to this viewer only.
        const user = { ...found };
        const viewer = ctx.user;
        const privileged = viewer && (viewer.userId === user.id || viewer.roles.some((r) => STAFF_ROLES.includes(r)));
        if (!privileged) restricted.add(user);
        return user;
      },
      email: (user) => {
        assertMayReadContact(user);
        return user.email;
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
