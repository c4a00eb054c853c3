import { flag, millis } from '@meridian/platform';
import { z } from 'zod';

/**
 * Where subgraphs are reached, shared by the gateway server and both BFFs.
 * Each URL overrides the routing URL composed into supergraph.graphql, so one
 * checked-in supergraph serves every environment.
 */
export const subgraphConfigSchema = z.object({
  /** Identity's GraphQL endpoint; default the local port 4201. */
  IDENTITY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4201/graphql'),
  /** Banking's GraphQL endpoint; default the local port 4202. */
  BANKING_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4202/graphql'),
  /** KYC's GraphQL endpoint; default the local port 4203. */
  KYC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4203/graphql'),
  /** Payments' GraphQL endpoint; default the local port 4204. */
  PAYMENTS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4204/graphql'),
  /** Insights' GraphQL endpoint; default the local port 4205. The BFFs fetch the CSV export beside it. */
  INSIGHTS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4205/graphql'),
  /** How long one subgraph fetch may take before the request fails with SERVICE_UNAVAILABLE; default 5000 ms. */
  SUBGRAPH_TIMEOUT_MS: millis(5_000),
  /** Kept-alive connections to each subgraph at most; further fetches wait for one. Default 64. */
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().min(1).max(4_096).default(64),
  /**
   * Whether a BFF sends identical query fetches in flight for the same caller once (the same
   * subgraph, document, variables and Authorization); default true. Never across callers, never for mutations.
   */
  SUBGRAPH_FETCH_MERGING: flag(true),
});

export type SubgraphConfig = z.infer<typeof subgraphConfigSchema>;

/** Subgraph URL overrides by subgraph name, as `createGateway` takes them. */
export function subgraphUrlsFromConfig(config: SubgraphConfig): Record<string, string> {
  return {
    identity: config.IDENTITY_URL,
    banking: config.BANKING_URL,
    kyc: config.KYC_URL,
    payments: config.PAYMENTS_URL,
    insights: config.INSIGHTS_URL,
  };
}
