import { apiKeyOf } from '@meridian/bff-core';
import { errorBody, ErrorCode } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';

/**
 * API keys are for scripts calling the web API; the app's BFF takes only the
 * bearer tokens of a sign-in. A request with `Authorization: ApiKey …` is
 * refused before anything runs (401 UNAUTHENTICATED, `reason`
 * API_KEY_NOT_ACCEPTED), on every route, so a key never reaches a subgraph from here.
 */
export function refuseApiKeys(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (apiKeyOf(request.headers.authorization) === undefined) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .type('application/json; charset=utf-8')
      .send(
        errorBody(
          ErrorCode.UNAUTHENTICATED,
          'The mobile API does not take API keys: send them to the web API (`Authorization: ApiKey <key>`), or sign in here and send `Authorization: Bearer <access token>`.',
          { reason: 'API_KEY_NOT_ACCEPTED' },
        ),
      );
  });
}
