import { requireUser, type SubgraphContext } from '@meridian/platform';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { MutationResolvers, QueryResolvers } from '../__generated__/resolvers-types';
import type { RequestOrigin } from '../services/audit-log';
import type { StaffReads } from '../services/staff-reads';
import type { StaffService } from '../services/staff-service';
import type { UserLockService } from '../services/user-lock-service';

/** The services behind staff management, staff locks and staff reads. */
export interface StaffServices {
  staff: StaffService;
  userLocks: UserLockService;
  staffReads: StaffReads;
}

const origin = (ctx: SubgraphContext): RequestOrigin => ({ ip: ctx.clientIp, userAgent: ctx.userAgent, requestId: ctx.requestId });

/** The fields identity was asked for under this field (fragments looked through), for the staff-read audit. */
function fieldsAsked(info: GraphQLResolveInfo): string[] {
  const names = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith('__')) names.add(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        walk(info.fragments[selection.name.value]?.selectionSet, seen);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet, new Set());
  return [...names].sort();
}

/**
 * Staff operations; who may call each is declared on the schema
 * (`@requiresScopes`) and enforced before these run.
 */
export function staffResolvers(services: StaffServices): { Query: QueryResolvers; Mutation: MutationResolvers } {
  return {
    Query: {
      customer: (_parent, { id, reason }, ctx, info) => services.staffReads.lookUp(requireUser(ctx), { id }, reason, fieldsAsked(info), origin(ctx)),
      customerByEmail: (_parent, { email, reason }, ctx, info) =>
        services.staffReads.lookUp(requireUser(ctx), { email }, reason, fieldsAsked(info), origin(ctx)),
      staffMembers: () => services.staff.members(),
    },
    Mutation: {
      createStaff: (_parent, { input }, ctx) => services.staff.create(requireUser(ctx).userId, input, origin(ctx)),
      setRoles: (_parent, { userId, roles }, ctx) => services.staff.setRoles(requireUser(ctx).userId, userId, roles, origin(ctx)),
      lockUser: (_parent, { userId, reason }, ctx) => services.userLocks.lock(requireUser(ctx), userId, reason, origin(ctx)),
      unlockUser: (_parent, { userId, reason }, ctx) => services.userLocks.unlock(requireUser(ctx), userId, reason, origin(ctx)),
    },
  };
}
