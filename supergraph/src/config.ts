import { baseConfigSchema, loadConfig, port, serviceNames } from '@meridian/platform';
import type { z } from 'zod';
import { subgraphConfigSchema } from './subgraph-config';

/** The standalone gateway's settings; defaults give the embedded mode. */
export const gatewayConfigSchema = baseConfigSchema.extend({
  GATEWAY_PORT: port(4100),
  /**
   * Services whose service tokens may call the gateway server's `/graphql`; default the BFFs. A service that
   * calls a subgraph's internal API (payments, insights) has no business running the public supergraph.
   */
  GATEWAY_CALLERS: serviceNames(['bff-web', 'bff-mobile']),
  ...subgraphConfigSchema.shape,
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** Loads the gateway's configuration from the environment. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, env);
}
