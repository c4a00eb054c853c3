import type { ApolloServerPlugin } from '@apollo/server';
import type { SubgraphContext } from './subgraph-context';

/**
 * Lets only a customer's query be cacheable: a mutation's answer, or any
 * answer to a staff member, is `Cache-Control: no-store` whatever the schema's
 * `@cacheControl` hints say. Type hints apply wherever a type is returned, so a
 * mutation returning an `Account` would otherwise carry its `max-age`; and
 * staff reach customers' data through some fields customers use too
 * (`payment(id)`, `kycCase(id)`), where every staff read must reach the
 * subgraph, which audits it. The policy is restricted before execution, so
 * Apollo's cache-control plugin leaves it at 0.
 */
export function useCacheableCustomerReads<C extends Pick<SubgraphContext, 'user'>>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue, overallCachePolicy }) {
          const staff = contextValue.user?.roles.some((role) => role !== 'CUSTOMER') ?? false;
          if (operation?.operation !== 'query' || staff) overallCachePolicy.restrict({ maxAge: 0 });
        },
      };
    },
  };
}
