import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { clientCodeOf, isMaskedError, type Logger, type ServerMetrics } from '@meridian/platform';

/** Options for {@link useErrorLogging}. */
export interface ErrorLoggingOptions {
  logger: Logger;
  /** Counts every returned error by its final code; optional. */
  metrics?: ServerMetrics;
}

/**
 * Logs, with the request id and subgraph name, every error the client will only
 * see masked (INTERNAL_SERVER_ERROR, or SERVICE_UNAVAILABLE for a service that did
 * not answer). formatError cannot do it: it never sees the request.
 */
export function useErrorLogging<C extends BaseContext & { requestId?: string }>(
  options: ErrorLoggingOptions,
): ApolloServerPlugin<C> {
  // One listener for every request: it reads all it needs from the request it is given.
  const listener: GraphQLRequestListener<C> = {
    async didEncounterErrors({ errors, contextValue, operationName }) {
      for (const error of errors) {
        // The code the masking will show the client, decided the same way, without formatting the error twice.
        const formatted = error.toJSON();
        options.metrics?.graphqlErrors.inc({ code: clientCodeOf(formatted, error) });
        if (!isMaskedError(formatted, error)) continue;
        options.logger.error(
          {
            err: error,
            requestId: contextValue.requestId,
            subgraph: error.extensions.serviceName,
            operationName,
            path: error.path,
          },
          'unexpected error, masked for the client',
        );
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
