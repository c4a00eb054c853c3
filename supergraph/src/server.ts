import {
  createErrorFormatter,
  createHttpServer,
  FREE_TEXT_OPERATION,
  operationNamesOf,
  registerSigningKeyMetrics,
  signingKeyAges,
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
import { loadTrustedDocumentsManifest } from '@meridian/schema';
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
  /**
   * The operation names the per-operation metrics name requests by (any other is
   * `(free-text)`); default those of the web and mobile trusted-documents manifests.
   */
  operationNames?: ReadonlySet<string>;
}

/** The gateway server's request context: the gateway's, and the service that called. */
interface GatewayServerContext extends GatewayContext {
  /** The verified service token's service: the `client` label of the operation metrics. */
  serviceCaller: string;
}

/**
 * The standalone gateway (port 4100) for internal callers, tooling and benchmarks.
 * Every /graphql call needs a service token of a GATEWAY_CALLERS service (default the BFFs,
 * 403 for any other), so `_entities` and internal fields stay internal;
 * the caller's forwarded client address and agent are trusted because the caller is.
 * A caller's `Idempotency-Key` goes on to the subgraphs (a malformed one is refused with 400).
 */
export async function createGatewayServer(config: GatewayConfig, deps: GatewayServerDeps = {}): Promise<MeridianServer> {
  const logger = deps.logger ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const development = config.NODE_ENV === 'development';
  const signingKeys = deps.issueServiceToken ? undefined : await loadServiceSigningKeys(config, GATEWAY_AUDIENCE);
  const issueServiceToken = deps.issueServiceToken ?? createServiceTokenIssuer({ service: GATEWAY_AUDIENCE, keys: signingKeys! });
  // Its callers send text, not document ids: an operation is named in the metrics when its name is a client document's.
  const operationNames = deps.operationNames ?? operationNamesOf([...Object.values(loadTrustedDocumentsManifest('web')), ...Object.values(loadTrustedDocumentsManifest('mobile'))]);
  const verifyServiceToken =
    deps.verifyServiceToken ??
    createServiceTokenVerifier({ audience: GATEWAY_AUDIENCE, trustedKeys: await loadServiceTrustedKeys(config) });

  // Every route but health and metrics needs a service token for the gateway; /graphql one of GATEWAY_CALLERS.
  const { app, metrics } = createHttpServer({ name: 'gateway', logger, serviceAccess: { verify: verifyServiceToken } });
  if (signingKeys) registerSigningKeyMetrics(metrics.registry, GATEWAY_AUDIENCE, signingKeyAges(signingKeys));

  const formatError = createErrorFormatter({ exposeDetails: development });
  const apollo = createGatewayApollo<GatewayServerContext>({
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
    operationLabels: {
      operationOf: (request) => (request.operationName && operationNames.has(request.operationName) ? request.operationName : FREE_TEXT_OPERATION),
      clientOf: (context) => context.serviceCaller,
    },
  });
  await apollo.start();
  useIdempotencyKey(app);
  mountApollo(app, apollo, {
    allowGet: false,
    serviceCallers: config.GATEWAY_CALLERS,
    context: async (request) => ({ ...gatewayContextFromRequest(request, { trustClientHeaders: true }), serviceCaller: request.serviceCaller ?? 'unknown' }),
  });

  return {
    name: 'gateway',
    app,
    registry: metrics.registry,
    async close() {
      await app.close();
      await apollo.stop();
    },
  };
}
