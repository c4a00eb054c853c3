import path from 'node:path';
import type { Logger } from '@meridian/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GraphiqlBundle } from './build-graphiql-bundle';

/** Options for {@link useGraphiql}. */
export interface GraphiqlOptions {
  /** Where built bundles are cached across restarts; default `<DATA_DIR>/graphiql` as the caller passes it. */
  cacheDir?: string;
  logger: Logger;
  /** The GraphQL endpoint the page is shown on and sends to; default `/graphql`. */
  endpoint?: string;
}

/**
 * The page's content policy: its own bundle only, inline styles (the editor sets
 * them), data: and blob: images and fonts, and calls to this origin alone.
 */
export const GRAPHIQL_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Where the page loads its assets from. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql';

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>Meridian GraphiQL (development)</title>
    <link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}/graphiql.css" />
    <style>
      html, body, #graphiql { height: 100%; margin: 0; }
      .meridian-layout { display: flex; flex-direction: column; height: 100%; }
      .meridian-session { display: flex; gap: 12px; align-items: center; padding: 6px 12px; font: 14px system-ui, sans-serif; border-bottom: 1px solid #ddd; }
      .meridian-session form { display: flex; gap: 8px; align-items: center; }
      .meridian-session [role="alert"] { color: #b00020; }
      .meridian-graphiql { flex: 1; min-height: 0; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="${GRAPHIQL_ASSET_PREFIX}/graphiql.js"></script>
  </body>
</html>
`;

function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

/**
 * Serves GraphiQL, for development only: a browser's GET on the endpoint gets
 * the page (API clients, which do not ask for HTML, still reach GraphQL), and
 * the bundle is built locally on first use.
 */
export function useGraphiql(app: FastifyInstance, options: GraphiqlOptions): void {
  const endpoint = options.endpoint ?? '/graphql';
  // Loaded on first use: the build tools (esbuild, graphiql, react) are development dependencies only.
  const bundle = async () => (await import('./build-graphiql-bundle')).buildGraphiqlBundle({ cacheDir: options.cacheDir });

  app.addHook('onRequest', async (request, reply) => {
    // The route as matched, not the URL as spelled: `/%67raphql` is the same route.
    if (request.method !== 'GET' || request.routeOptions.url !== endpoint || !wantsHtml(request.headers.accept)) return;
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', GRAPHIQL_CONTENT_SECURITY_POLICY)
      .send(page);
  });

  const serve = async (reply: FastifyReply, pick: (b: GraphiqlBundle) => string, type: string) => {
    try {
      const built = await bundle();
      return reply.type(type).header('cache-control', 'no-cache').header('etag', `"${built.key}"`).send(pick(built));
    } catch (err) {
      options.logger.error({ err }, 'building the GraphiQL bundle failed');
      return reply.code(500).type('text/plain').send('GraphiQL could not be built; see the server log.');
    }
  };
  app.get(`${GRAPHIQL_ASSET_PREFIX}/graphiql.js`, async (_request, reply) =>
    serve(reply, (b) => b.js, 'text/javascript; charset=utf-8'),
  );
  app.get(`${GRAPHIQL_ASSET_PREFIX}/graphiql.css`, async (_request, reply) =>
    serve(reply, (b) => b.css, 'text/css; charset=utf-8'),
  );
}

/** The cache directory under a DATA_DIR. */
export function graphiqlCacheDir(dataDir: string): string {
  return path.join(dataDir, 'graphiql');
}
