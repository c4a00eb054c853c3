import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { errorBody, ErrorCode, type Logger } from '@meridian/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Options for {@link useWebApp}. */
export interface WebAppOptions {
  /** The dashboard's build (`index.html` and `assets/`); `WEB_APP_DIR`, default `apps/web/dist`. */
  dir: string;
  logger: Logger;
}

/** Where the build keeps its content-hashed files; served as immutable. */
export const WEB_APP_ASSET_PREFIX = '/assets/';

/** The placeholder `apps/web/index.html` carries in `<meta name="csp-nonce">`; each page load gets its own value. */
export const CSP_NONCE_PLACEHOLDER = '__CSP_NONCE__';

/**
 * First path segments that belong to the BFF, not to the app: an unknown path
 * under them is a 404 in the error shape, never the app's page.
 */
const SERVER_SEGMENTS = new Set(['graphql', 'graphiql', 'auth', 'health', 'metrics', 'uploads', 'kyc', 'exports', 'assets']);

/**
 * The app's content policy: its own scripts only (no inline script, no eval),
 * its own stylesheets plus the `<style>` elements Mantine writes, which carry
 * this page load's nonce; calls to this origin alone.
 */
export function webAppContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const NOT_BUILT = 'The web dashboard is not built. Run `npm run build -w apps/web` (or `npm start`, which builds it) and restart the web BFF.';

/** A path whose last segment has a dot names a file (`app.js`, `.env`): when it is missing, the answer is 404, not the app. */
function looksLikeFile(route: string): boolean {
  return (route.split('/').pop() ?? '').includes('.');
}

/**
 * Serves the dashboard's build at `/`: hashed files under `/assets/` cached for
 * a year as immutable, and `index.html` (never cached, with a fresh CSP nonce
 * in its `<meta name="csp-nonce">` and its `Content-Security-Policy`) for
 * every other GET that is not one of the BFF's own routes, so the app's router
 * handles `/accounts/…`, `/verify-email?token=…` and the rest. Without a build
 * the BFF still starts: those paths answer 404 saying how to build it.
 */
export async function useWebApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const indexFile = path.join(options.dir, 'index.html');
  let template: string | undefined;
  try {
    template = fs.readFileSync(indexFile, 'utf8');
  } catch {
    options.logger.warn({ dir: options.dir }, 'the web dashboard is not built; / answers 404 (npm run build -w apps/web)');
  }
  if (template !== undefined && !template.includes(CSP_NONCE_PLACEHOLDER)) {
    throw new Error(`${indexFile} has no ${CSP_NONCE_PLACEHOLDER} placeholder: it is not a build of apps/web`);
  }

  if (template !== undefined) {
    await app.register(fastifyStatic, {
      root: path.join(options.dir, 'assets'),
      prefix: WEB_APP_ASSET_PREFIX,
      decorateReply: false,
      index: false,
      // Names carry a hash of the content: a changed file is a new name, so a year is safe.
      cacheControl: false,
      setHeaders: (reply) => reply.header('cache-control', 'public, max-age=31536000, immutable'),
    });
  }

  const page = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const route = request.params['*'] ?? '';
    if (SERVER_SEGMENTS.has(route.split('/')[0]) || looksLikeFile(route)) return reply.callNotFound();
    if (template === undefined) {
      return reply.code(404).type('application/json; charset=utf-8').send(errorBody(ErrorCode.NOT_FOUND, NOT_BUILT, { reason: 'WEB_APP_NOT_BUILT' }));
    }
    const nonce = randomBytes(16).toString('base64');
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', webAppContentSecurityPolicy(nonce))
      .send(template.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
  };
  app.get('/', page);
  app.get('/*', page);
}
