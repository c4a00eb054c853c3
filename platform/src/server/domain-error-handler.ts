import type { FastifyInstance } from 'fastify';
import { DomainError, ErrorCode, errorBody, httpStatusFor } from '../errors';
import type { Logger } from '../logger';

/**
 * Answers errors of the JSON routes of a Fastify scope (an internal API, a
 * webhook) in the GraphQL error shape: a DomainError with its catalogue HTTP
 * status and details; Fastify's own 4xx refusals (malformed JSON, body too
 * large) as BAD_USER_INPUT or REQUEST_TOO_LARGE; anything else logged under
 * `what` and answered as a masked 500.
 */
export function answerDomainErrors(app: FastifyInstance, logger: Logger, what: string): void {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof DomainError) return reply.code(httpStatusFor[err.code]).send(errorBody(err.code, err.message, { ...err.extensions }));
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = status === 413 ? ErrorCode.REQUEST_TOO_LARGE : ErrorCode.BAD_USER_INPUT;
      return reply.code(status).send(errorBody(code, (err as Error).message));
    }
    logger.error({ err, requestId: request.id }, `${what} failed`);
    return reply.code(500).send(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.'));
  });
}
