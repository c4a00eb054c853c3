import { ApolloGateway } from '@apollo/gateway';
import type { Logger, ServiceTokenIssuer } from '@meridian/platform';
import { loadSupergraphSdl } from './compose';
import { MeridianDataSource } from './meridian-data-source';
import { supergraphForGateway } from './security-features';

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
}

/**
 * The federation gateway as a library: an ApolloGateway on a static supergraph
 * (no polling, no runtime introspection) whose subgraph calls go through
 * {@link MeridianDataSource}. Hand it to `new ApolloServer({ gateway })`, which starts and stops it.
 */
export function createGateway(options: GatewayOptions): ApolloGateway {
  return new ApolloGateway({
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
        timeoutMs: options.subgraphTimeoutMs,
      });
    },
  });
}
