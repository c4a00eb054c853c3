import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { setSpanAttributes } from '@meridian/platform';
import type { DocumentNode } from 'graphql';
import type { BffContext } from './bff-context';
import type { BffPlugin } from './bff-plugin';
import { readCostDirectives } from './cost/cost-directives';
import { actualCost } from './cost/actual-cost';
import { createCostEstimator, estimateCost } from './cost/estimate-cost';
import { queryTooComplex } from './limit-error';

/** Options for {@link useCostLimit}. */
export interface CostLimitOptions {
  /** Highest static cost accepted for one operation. */
  maxCost: number;
  /** The supergraph whose `@cost`/`@listSize` declarations weigh fields. */
  supergraphSdl: string;
  /** Size assumed for unbounded lists; default 10. */
  defaultListSize?: number;
}

/** Variable sets remembered per document; past it the document's entries start afresh. */
const COSTS_PER_DOCUMENT = 256;

/**
 * The variables as far as the static cost can see them: strings weigh nothing
 * (slicing arguments are numbers, `@skip`/`@include` booleans), so two requests
 * that differ only in ids, cursors or text share one entry.
 */
function costShape(operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string {
  return `${operationName ?? ''}\n${JSON.stringify(variables ?? {}, (_key, value: unknown) => (typeof value === 'string' ? '' : value))}`;
}

/**
 * Computes each operation's static cost once its variables are known (before
 * planning; once per document and variables' shape), refuses it over `maxCost` with QUERY_TOO_COMPLEX, and reports
 * `extensions.cost.requestedQueryCost` on every response, with `actualQueryCost`
 * (the same weights over what really came back) when there is data.
 */
export function useCostLimit(options: CostLimitOptions): BffPlugin {
  const model = { directives: readCostDirectives(options.supergraphSdl), defaultListSize: options.defaultListSize };
  const estimator = createCostEstimator(model);
  // By parsed document (Apollo keeps one per query text) and variables' shape: computed once for each.
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  // One listener for every request: it reads all it needs from the request it is given.
  const listener: GraphQLRequestListener<BffContext> = {
    async willSendResponse({ response, contextValue, schema, document, operationName }) {
      const cost = contextValue.state.requestedCost;
      if (cost === undefined || response.body.kind !== 'single') return;
      const result = response.body.singleResult;
      // The cost is only known once the operation resolved, so its document is there too.
      const actual = document && result.data !== undefined ? actualCost(schema, document, operationName ?? undefined, result.data, model) : undefined;
      result.extensions = {
        ...result.extensions,
        cost: { ...(result.extensions?.cost as object), requestedQueryCost: cost, ...(actual === undefined ? {} : { actualQueryCost: actual }) },
      };
    },
  };
  const plugin: ApolloServerPlugin<BffContext> = {
    async requestDidStart() {
      return listener;
    },
  };
  return {
    name: 'cost-limit',
    apollo: [plugin],
    async guard({ schema, document, request, operationName, contextValue }) {
      let known = costs.get(document);
      if (!known) costs.set(document, (known = new Map()));
      const shape = costShape(operationName, request.variables);
      let cost = known.get(shape);
      if (cost === undefined) {
        cost = estimateCost(schema, document, request.variables, operationName ?? undefined, estimator);
        if (known.size >= COSTS_PER_DOCUMENT) known.clear();
        known.set(shape, cost);
      }
      contextValue.state.requestedCost = cost;
      setSpanAttributes({ 'meridian.cost.requested': cost, 'meridian.cost.limit': options.maxCost });
      if (cost > options.maxCost) {
        const error = queryTooComplex(`Query cost ${cost} exceeds the limit of ${options.maxCost}.`, 'cost', options.maxCost);
        // Apollo reads extensions.http for the status and strips it from the response.
        Object.assign(error.extensions, { http: { status: 400 } });
        throw error;
      }
    },
  };
}
