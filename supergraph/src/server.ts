import {
  createErrorFormatter,
  createHttpServer,
  createLogger,
  createServiceTokenIssuer,
  createServiceTokenVerifier,
  loadServiceSigningKeys,
  loadServiceTrustedKeys,
  mountApollo,
  type Logger,
  type MeridianServer,
  type ServiceTokenIssuer,
  type ServiceTokenVerifier,
} from '@meridian/platform';
import type { GatewayConfig } from './config';
import { createGatewayApollo } from './create-gateway-apollo';
import { gatewayContextFromRequest, type GatewayContext } from './gateway-context';
import { subgraphUrlsFromConfig } from './subgraph-config';
import { useIdempotencyKey } from './use-idempotency-key';

/** The audience service tokens must name to call the gateway server. */
export const GATEWAY_AUDIENCE = 'gateway';

/** What the gateway server is built from; everything defaults from config. */
export interface GatewayServerDeps {
  logger?: Logger;
  /** Composed supergraph SDL; default the checked-in file. */
  supergraphSdl?: string;
  /** Subgraph URLs by name; default IDENTITY_URL etc. from config. */
  subgraphUrls?: Record<string, string>;
  /** Signs tokens for subgraph calls; default the service signing keys, as service `gateway`. */
  issueServiceToken?: ServiceTokenIssuer;
  /** Checks callers' tokens (audience `gateway`); default the service trusted keys. */
  verifyServiceToken?: ServiceTokenVerifier;
}

/**
 * The standalone gateway (port 4100) for internal callers, tooling and benchmarks.
 * Every /graphql call needs a service token, so `_entities` and internal fields stay internal;
 * the caller's forwarded client address and agent are trusted because the caller is.
 * A caller's `Idempotency-Key` goes on to the subgraphs (a malformed one is refused with 400).
 */
export async function createGatewayServer(config: GatewayConfig, deps: GatewayServerDeps = {}): Promise<MeridianServer> {
  const logger = deps.logger ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const development = config.NODE_ENV === 'development';
  const issueServiceToken =
    deps.issueServiceToken ??
    createServiceTokenIssuer({ service: GATEWAY_AUDIENCE, keys: await loadServiceSigningKeys(config, GATEWAY_AUDIENCE) });
  const verifyServiceToken =
    deps.verifyServiceToken ??
    createServiceTokenVerifier({ audience: GATEWAY_AUDIENCE, trustedKeys: await loadServiceTrustedKeys(config) });

  // Every route but health and metrics needs a service token for the gateway.
  const { app, metrics } = createHttpServer({ name: 'gateway', logger, serviceAccess: { verify: verifyServiceToken } });

  const formatError = createErrorFormatter({ exposeDetails: development });
  const apollo = createGatewayApollo<GatewayContext>({
    nodeEnv: config.NODE_ENV,
    logger,
    metrics,
    issueServiceToken,
    supergraphSdl: deps.supergraphSdl,
    subgraphUrls: deps.subgraphUrls ?? subgraphUrlsFromConfig(config),
    subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    subgraphConnections: config.SUBGRAPH_CONNECTIONS,
    // Its callers (services) are not sorted by user here, so nothing is merged.
    mergeInFlight: false,
    formatError,
  });
  await apollo.start();
  useIdempotencyKey(app);
  mountApollo(app, apollo, {
    allowGet: false,
    context: async (request) => gatewayContextFromRequest(request, { trustClientHeaders: true }),
  });

  return {
    name: 'gateway',
    app,
    async close() {
      await app.close();
      await apollo.stop();
    },
  };
}
