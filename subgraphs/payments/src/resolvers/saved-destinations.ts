import { requireRecentMfa, requireUser, type SubgraphContext } from '@meridian/platform';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { ReadRequest, SavedDestinations } from '../services/saved-destinations';

/** Who reads, for the staff audit. */
const readRequest = (ctx: SubgraphContext): ReadRequest => ({ viewer: requireUser(ctx), requestId: ctx.requestId });

/** Saved payees, billers and cards: on User for reading, mutations for the viewer's own. Thin: arguments in, one service call, result out. */
export function savedDestinationResolvers(destinations: SavedDestinations, stepUpMaxAgeSeconds: number): Resolvers {
  return {
    User: {
      payees: (user, _args, ctx) => destinations.payees(readRequest(ctx), user.id),
      billers: (user, _args, ctx) => destinations.billers(readRequest(ctx), user.id),
      cards: (user, _args, ctx) => destinations.cards(readRequest(ctx), user.id),
    },
    Mutation: {
      // A new payee is where a stolen session would send money: it needs a recent second factor.
      createPayee: (_parent, { input }, ctx) => destinations.createPayee(requireRecentMfa(ctx, { maxAgeSeconds: stepUpMaxAgeSeconds, action: 'createPayee' }), input),
      deletePayee: (_parent, { id }, ctx) => destinations.deletePayee(requireUser(ctx), id),
      createBiller: (_parent, { input }, ctx) => destinations.createBiller(requireUser(ctx), input),
      deleteBiller: (_parent, { id }, ctx) => destinations.deleteBiller(requireUser(ctx), id),
      addCard: (_parent, { input }, ctx) => destinations.addCard(requireUser(ctx), input),
      removeCard: (_parent, { id }, ctx) => destinations.removeCard(requireUser(ctx), id),
    },
  };
}
