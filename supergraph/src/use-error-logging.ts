import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { clientCodeOf, ErrorCode, type Logger, type ServerMetrics } from '@meridian/platform';

/** Options for {@link useErrorLogging}. */
export interface ErrorLoggingOptions {
  logger: Logger;
  /** Counts every returned error by its final code; optional. */
  metrics?: ServerMetrics;
}

/**
 * Logs, with the request id and subgraph name, every error the client will only
 * see masked as INTERNAL_SERVER_ERROR. formatError cannot do it: it never sees the request.
 */
export function useErrorLogging<C extends BaseContext & { requestId?: string }>(
  options: ErrorLoggingOptions,
): ApolloServerPlugin<C> {
  // One listener for every request: it reads all it needs from the request it is given.
  const listener: GraphQLRequestListener<C> = {
    async didEncounterErrors({ errors, contextValue, operationName }) {
      for (const error of errors) {
        // The code the masking will show the client, decided the same way, without formatting the error twice.
        const code = clientCodeOf(error.toJSON(), error);
        options.metrics?.graphqlErrors.inc({ code });
        if (code !== ErrorCode.INTERNAL_SERVER_ERROR) continue;
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
