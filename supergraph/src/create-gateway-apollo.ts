import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { useOperationMetrics, type Logger, type OperationMetricsOptions, type ServerMetrics, type ServiceTokenIssuer } from '@meridian/platform';
import type { GraphQLFormattedError, ValidationRule } from 'graphql';
import { createGateway } from './create-gateway';
import { useErrorLogging } from './use-error-logging';

/** Options for {@link createGatewayApollo}. */
export interface GatewayApolloOptions<C extends BaseContext> {
  nodeEnv: 'development' | 'test' | 'production';
  logger: Logger;
  metrics: ServerMetrics;
  issueServiceToken: ServiceTokenIssuer;
  /** Composed supergraph SDL; default the checked-in file. */
  supergraphSdl?: string;
  subgraphUrls: Record<string, string>;
  subgraphTimeoutMs: number;
  /** Kept-alive connections to each subgraph at most; default 64. */
  subgraphConnections?: number;
  /** Whether requests that ask for it may share identical query fetches in flight; default true. */
  mergeInFlight?: boolean;
  /** The masking formatter (the gateway's or the BFF's). */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  validationRules?: ValidationRule[];
  plugins?: ApolloServerPlugin<C>[];
  /** Most lexical tokens a document may have; the parser stops past it. Default unlimited. */
  maxTokens?: number;
  /** How each request is labelled in the per-operation metrics (`graphql_operations_total`, `graphql_operation_duration_seconds`); none when unset. */
  operationLabels?: Omit<OperationMetricsOptions<C>, 'registry'>;
}

/**
 * Apollo Server running the federation gateway, as both the standalone gateway
 * and the BFFs run it: introspection and "Did you mean" hints off in
 * production, errors masked and logged, no CDN landing page.
 */
export function createGatewayApollo<C extends BaseContext>(options: GatewayApolloOptions<C>): ApolloServer<C> {
  const production = options.nodeEnv === 'production';
  return new ApolloServer<C>({
    // Shutdown is closeOnSignals' job: Apollo's own handler re-raises the signal before our closers run.
    stopOnTerminationSignals: false,
    gateway: createGateway({
      supergraphSdl: options.supergraphSdl,
      issueServiceToken: options.issueServiceToken,
      logger: options.logger,
      subgraphUrls: options.subgraphUrls,
      subgraphTimeoutMs: options.subgraphTimeoutMs,
      subgraphConnections: options.subgraphConnections,
      mergeInFlight: options.mergeInFlight,
    }),
    formatError: options.formatError,
    parseOptions: options.maxTokens ? { maxTokens: options.maxTokens } : undefined,
    introspection: !production,
    includeStacktraceInErrorResponses: options.nodeEnv === 'development',
    // Strips "Did you mean ...?" from validation messages: they map the schema for a stranger.
    hideSchemaDetailsFromClientErrors: production,
    validationRules: options.validationRules ?? [],
    plugins: [
      // Apollo's default landing page loads from a CDN; the web BFF serves its own GraphiQL instead.
      ApolloServerPluginLandingPageDisabled(),
      useErrorLogging<C>({ logger: options.logger, metrics: options.metrics }),
      ...(options.operationLabels ? [useOperationMetrics<C>({ registry: options.metrics.registry, ...options.operationLabels })] : []),
      ...(options.plugins ?? []),
    ],
  });
}
