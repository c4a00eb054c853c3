import { ApolloGateway } from '@apollo/gateway';
import type { Logger, ServiceTokenIssuer } from '@meridian/platform';
import { loadSupergraphSdl } from './compose';
import { InFlightFetches } from './in-flight-fetches';
import { MeridianDataSource } from './meridian-data-source';
import { supergraphForGateway } from './security-features';
import { createSubgraphTransport, type SubgraphTransport } from './subgraph-fetcher';

/** Options for {@link createGateway}. */
export interface GatewayOptions {
  /** Composed supergraph SDL; default the checked-in `supergraph/supergraph.graphql`. */
  supergraphSdl?: string;
  /** Mints service tokens for subgraph calls; the audience is the subgraph's name. */
  issueServiceToken: ServiceTokenIssuer;
  logger: Logger;
  /** Subgraph URLs by subgraph name, replacing the routing URLs in the supergraph. */
  subgraphUrls?: Record<string, string | undefined>;
  /** Deadline of one subgraph fetch in ms; default 5000. */
  subgraphTimeoutMs?: number;
  /** Kept-alive connections to each subgraph at most; default 64. */
  subgraphConnections?: number;
  /**
   * Whether identical query fetches in flight for the same caller may be sent
   * once, on requests that ask for it (`mergeFetches` in the context); default true.
   */
  mergeInFlight?: boolean;
}

/** ApolloGateway that also closes its subgraph connections when it stops. */
class MeridianGateway extends ApolloGateway {
  constructor(
    config: ConstructorParameters<typeof ApolloGateway>[0],
    private readonly transport: SubgraphTransport,
  ) {
    super(config);
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.transport.close();
  }
}

/**
 * The federation gateway as a library: an ApolloGateway on a static supergraph
 * (no polling, no runtime introspection) whose subgraph calls go through
 * {@link MeridianDataSource}, on one pool of kept-alive connections per
 * subgraph. Hand it to `new ApolloServer({ gateway })`, which starts and stops it.
 */
export function createGateway(options: GatewayOptions): ApolloGateway {
  const transport = createSubgraphTransport({ timeoutMs: options.subgraphTimeoutMs, connections: options.subgraphConnections });
  const inFlight = options.mergeInFlight === false ? undefined : new InFlightFetches();
  return new MeridianGateway(
    {
      // @authenticated/@requiresScopes are enforced by the BFFs and the subgraphs, not by the gateway.
      supergraphSdl: supergraphForGateway(options.supergraphSdl ?? loadSupergraphSdl()),
      logger: options.logger,
      buildService: ({ name, url }) => {
        const target = options.subgraphUrls?.[name] ?? url;
        if (!target) throw new Error(`No URL for subgraph "${name}": set it in supergraph.yaml or override it`);
        return new MeridianDataSource({
          name,
          url: target,
          issueServiceToken: options.issueServiceToken,
          logger: options.logger,
          transport,
          inFlight,
        });
      },
    },
    transport,
  );
}
