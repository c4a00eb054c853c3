import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation, GraphQLRequestListener } from '@apollo/server';
import { withSpan } from '@meridian/platform';
import type { ValidationRule } from 'graphql';
import type { BffContext } from './bff-context';

/**
 * One step of the BFF pipeline (limits, sessions, rate limits): Apollo plugins
 * and validation rules that `createBffServer` switches on. Rules join Apollo's
 * single validation pass, so a request is still validated once.
 */
export interface BffPlugin {
  /** For logs and debugging. */
  name: string;
  apollo?: ApolloServerPlugin<BffContext>[];
  validationRules?: ValidationRule[];
  /**
   * A check once the operation and its variables are known, before planning.
   * Guards run one after another in plugin order (Apollo runs its own hooks
   * concurrently), and the first to throw ends the request.
   */
  guard?: (request: GraphQLRequestContextDidResolveOperation<BffContext>) => Promise<void>;
}

/** What a BFF plugin's Apollo hooks answer for a request: one object built once serves every request. */
export type BffRequestListener = GraphQLRequestListener<BffContext>;

/**
 * Runs every plugin's guard in order, as one Apollo hook, on a request state of
 * its own; each guard in a span `bff.<plugin name>` when traced.
 */
export function useGuards(plugins: BffPlugin[]): ApolloServerPlugin<BffContext> {
  const guards = plugins.flatMap(({ name, guard }) => (guard ? [{ span: `bff.${name}`, guard }] : []));
  // One listener for every request: it reads all it needs from the request it is given.
  const listener: GraphQLRequestListener<BffContext> = {
    async didResolveOperation(request) {
      for (const { span, guard } of guards) await withSpan(span, {}, () => guard(request));
    },
  };
  return {
    async requestDidStart({ contextValue }) {
      // Fresh for every GraphQL request, even if a caller of BffHandle.execute reuses a context.
      contextValue.state = {};
      contextValue.mergeFetches = false;
      return listener;
    },
  };
}
