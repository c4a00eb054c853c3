import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { Kind, parse } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ErrorCode, isErrorCode } from '../errors';
import { registeredMetric } from '../server/metrics';

/** The `operation` label of a request whose document is not a known one: free text in development, or no operation at all. */
export const FREE_TEXT_OPERATION = '(free-text)';

/** The per-operation RED metrics of a server that runs client operations (the BFFs, the gateway). */
export interface OperationMetrics {
  /** `graphql_operations_total{operation, client, outcome}`: `outcome` is `ok` or the first error's catalogue code. */
  operations: Counter<'operation' | 'client' | 'outcome'>;
  /** `graphql_operation_duration_seconds{operation, client}`: from the request reaching Apollo to its response. */
  duration: Histogram<'operation' | 'client'>;
}

/** The operation metrics of `registry`, created on first use. */
export function operationMetrics(registry: Registry): OperationMetrics {
  const operations = registeredMetric(
    registry,
    'graphql_operations_total',
    () =>
      new Counter({
        name: 'graphql_operations_total',
        help: "GraphQL operations answered, by operation (a trusted document's name), client and outcome (ok, or the first error's code)",
        labelNames: ['operation', 'client', 'outcome'],
        registers: [registry],
      }),
  );
  const duration = registeredMetric(
    registry,
    'graphql_operation_duration_seconds',
    () =>
      new Histogram({
        name: 'graphql_operation_duration_seconds',
        help: 'GraphQL operation duration in seconds, by operation and client',
        labelNames: ['operation', 'client'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
  );
  return { operations, duration };
}

/** Options for {@link useOperationMetrics}. */
export interface OperationMetricsOptions<C extends BaseContext> {
  registry: Registry;
  /**
   * The request's `operation` label, from a bounded set: a trusted document's operation
   * name, else {@link FREE_TEXT_OPERATION}. Never the client's own `operationName` as sent,
   * which would let any client make new series.
   */
  operationOf: (request: GraphQLRequestContextWillSendResponse<C>) => string;
  /** The request's `client` label (`web`, `mobile`, or the service calling the gateway). */
  clientOf: (context: C) => string;
}

/**
 * Rate, errors and duration per GraphQL operation: counts every response by
 * operation, client and outcome (the code the client is shown, after masking)
 * and times it. Requests refused before Apollo (an unknown document id, a body
 * too large) are in the HTTP metrics only.
 */
export function useOperationMetrics<C extends BaseContext>(options: OperationMetricsOptions<C>): ApolloServerPlugin<C> {
  const metrics = operationMetrics(options.registry);
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(request) {
          const { body } = request.response;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const code = errors?.[0]?.extensions?.code;
          const outcome = !errors?.length ? 'ok' : isErrorCode(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR;
          const labels = { operation: options.operationOf(request), client: options.clientOf(request.contextValue) };
          metrics.operations.inc({ ...labels, outcome });
          metrics.duration.observe(labels, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/**
 * The operation names of a set of trusted documents (their texts), for the gateway,
 * whose callers send text: an operation is labelled with its name only when that
 * name is one of these.
 */
export function operationNamesOf(texts: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const text of texts) {
    for (const definition of parse(text).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
    }
  }
  return names;
}
