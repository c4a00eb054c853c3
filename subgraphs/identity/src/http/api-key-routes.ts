import { answerDomainErrors, errors, type Logger } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeyService } from '../services/api-key-service';

/** URL prefix of the API-key exchange, beside identity's other internal routes. */
export const API_KEY_API_PREFIX = '/internal/identity/api-keys';

/** Options for {@link apiKeyRoutes}. */
export interface ApiKeyRoutesOptions {
  apiKeys: ApiKeyService;
  logger: Logger;
  /** Services that may exchange keys (IDENTITY_API_KEY_CALLERS; the web BFF). */
  callers: readonly string[];
}

// The longest well-formed key is 67 characters; anything much longer is not worth reading.
const exchangeBody = z.object({ key: z.string().max(256) }).strict();
const usedBody = z.object({ keyIds: z.array(z.string().max(64)).min(1).max(100) }).strict();

/**
 * Identity's API-key routes, open only to `callers` (a service token from one
 * of them). POST bodies, so keys stay out of URLs and access logs.
 */
export async function apiKeyRoutes(app: FastifyInstance, options: ApiKeyRoutesOptions): Promise<void> {
  const callers = [...options.callers];
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, serviceCallers: callers };
  });
  answerDomainErrors(app, options.logger, 'identity API-key exchange');

  /**
   * A key (`{ key }`) for a short-lived access token of its owner:
   * `{ accessToken, expiresAt, keyId, userId, scopes }`.
   * Errors: BAD_USER_INPUT (no key in the body), UNAUTHENTICATED (one message for every invalid key).
   */
  app.post('/exchange', async (request) => {
    const parsed = exchangeBody.safeParse(request.body ?? {});
    if (!parsed.success) throw errors.badInput('Send {"key": "mk_live_..."}.');
    const exchanged = await options.apiKeys.exchange(parsed.data.key);
    return { ...exchanged, expiresAt: exchanged.expiresAt.toISOString() };
  });

  /**
   * Keys a caller used with tokens it had already exchanged (`{ keyIds }`):
   * their `lastUsedAt` moves, at most once a minute each. Answers 204.
   * Errors: BAD_USER_INPUT.
   */
  app.post('/used', async (request, reply) => {
    const parsed = usedBody.safeParse(request.body ?? {});
    if (!parsed.success) throw errors.badInput('Send {"keyIds": ["<key id>", ...]} with 1 to 100 ids.');
    await options.apiKeys.recordUse(parsed.data.keyIds);
    return reply.code(204).send();
  });
}
