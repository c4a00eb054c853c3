import type { FastifyInstance } from 'fastify';
import { SERVICE_TOKEN_HEADER, type ServiceTokenVerifier } from '../auth';
import { errorBody, ErrorCode, type DomainError } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The calling service, set once its service token is verified. */
    serviceCaller?: string;
  }
}

/**
 * Refuses every request under `prefix` that lacks a valid service token, before
 * GraphQL sees it: `_service`, `_entities` and internal fields stay internal.
 */
export function useServiceTokenGuard(app: FastifyInstance, verify: ServiceTokenVerifier, prefix = '/graphql'): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(prefix)) return;
    const raw = request.headers[SERVICE_TOKEN_HEADER];
    try {
      request.serviceCaller = await verify(Array.isArray(raw) ? raw[0] : raw);
    } catch (err) {
      const error = err as DomainError;
      request.log.warn({ ip: request.ip }, 'request without a valid service token refused');
      return reply
        .code(401)
        .type('application/json')
        .send(errorBody(error.code ?? ErrorCode.UNAUTHENTICATED, error.message));
    }
  });
}
