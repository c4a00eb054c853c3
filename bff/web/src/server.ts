import { createBffServer, queryLimitsFrom, type BffDeps } from '@meridian/bff-core';
import type { MeridianServer } from '@meridian/platform';
import type { WebBffConfig } from './config';
import { graphiqlCacheDir, useGraphiql } from './graphiql/use-graphiql';

/** The web BFF's name in logs and metrics, and the subject of its service tokens. */
export const WEB_BFF_NAME = 'bff-web';

/**
 * The web dashboard's BFF (port 4000): the shared pipeline with the dashboard's
 * depth limit, and GraphiQL at GET /graphql in development.
 */
export function createWebBffServer(config: WebBffConfig, deps: BffDeps = {}): Promise<MeridianServer> {
  return createBffServer({
    name: WEB_BFF_NAME,
    config,
    limits: queryLimitsFrom('WEB', config),
    deps,
    routes: (app, logger) => {
      if (config.NODE_ENV === 'development') useGraphiql(app, { logger, cacheDir: graphiqlCacheDir(config.DATA_DIR) });
    },
  });
}
