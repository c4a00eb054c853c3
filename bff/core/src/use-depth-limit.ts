import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { BffPlugin } from './bff-plugin';
import { reportLimit } from './limit-error';

/** Options for {@link useDepthLimit}. */
export interface DepthLimitOptions {
  /** Deepest field nesting accepted; fragments count by the fields they add, not as levels. Web 12, mobile 10. */
  maxDepth: number;
}

/**
 * Refuses operations nested deeper than `maxDepth` during validation, before
 * any planning or subgraph call, with QUERY_TOO_COMPLEX and the limit in
 * `extensions.limit`. Introspection's `__schema` is not counted (it is off in production).
 */
export function useDepthLimit(options: DepthLimitOptions): BffPlugin {
  const rule = maxDepthRule({
    n: options.maxDepth,
    // Count field levels only: without this every fragment spread adds two phantom levels,
    // and fragment-heavy client documents would be refused at half the limit.
    flattenFragments: true,
    exposeLimits: true,
    // Report instead of throwing: a throw escapes graphql's validate() as a 500.
    propagateOnRejection: false,
    onReject: [reportLimit('depth', options.maxDepth)],
  });
  return { name: 'depth-limit', validationRules: [rule] };
}
