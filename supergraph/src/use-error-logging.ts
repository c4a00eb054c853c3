import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { createErrorFormatter, ErrorCode, type Logger, type ServerMetrics } from '@meridian/platform';
import type { GraphQLFormattedError } from 'graphql';

/** Options for {@link useErrorLogging}. */
export interface ErrorLoggingOptions {
  logger: Logger;
  /** Counts every returned error by its final code; optional. */
  metrics?: ServerMetrics;
  /** The server's own formatError, used to learn each error's final code; default platform's formatter. */
  formatError?: (formatted: GraphQLFormattedError, original: unknown) => GraphQLFormattedError;
}

/**
 * Logs, with the request id and subgraph name, every error the client will only
 * see masked as INTERNAL_SERVER_ERROR. formatError cannot do it: it never sees the request.
 */
export function useErrorLogging<C extends BaseContext & { requestId?: string }>(
  options: ErrorLoggingOptions,
): ApolloServerPlugin<C> {
  const format = options.formatError ?? createErrorFormatter();
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const code = format(error.toJSON(), error).extensions?.code;
            options.metrics?.graphqlErrors.inc({ code: typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR });
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
    },
  };
}
