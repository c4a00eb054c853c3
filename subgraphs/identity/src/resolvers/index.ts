import { DateTimeScalar, errors, requireUser, type SubgraphContext } from '@meridian/platform';
import type { Resolvers } from '../__generated__/resolvers-types';
import { STAFF_ROLES, type UserRecord } from '../domain/user';
import type { RequestOrigin } from '../services/audit-log';
import type { AccountService } from '../services/account-service';
import type { SessionService } from '../services/session-service';
import { userLoader } from './user-loader';

/** Services the resolvers call. */
export interface IdentityServices {
  accounts: AccountService;
  sessions: SessionService;
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
      login: (_parent, { input }, ctx) =>
        services.sessions.login(input.email, input.password, input.deviceId ?? null, origin(ctx)),
      refreshSession: (_parent, { refreshToken }, ctx) => services.sessions.refresh(refreshToken, origin(ctx)),
      logout: (_parent, { refreshToken }, ctx) => {
        const caller = ctx.user ? { userId: ctx.user.userId, sessionId: ctx.user.sessionId } : undefined;
        if (!refreshToken && !caller && ctx.authError) throw ctx.authError;
        return services.sessions.logout(refreshToken, caller, origin(ctx));
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
    },
  };
}
