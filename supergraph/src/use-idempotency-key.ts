import { addRouteHook, errorBody, ErrorCode, IDEMPOTENCY_KEY_HEADER, isIdempotencyKey } from '@meridian/platform';
import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';

/** Options for {@link useIdempotencyKey}. */
export interface IdempotencyKeyOptions {
  /** The GraphQL route; default `/graphql`. */
  path?: string;
}

const MESSAGE = 'The Idempotency-Key header must be 1 to 255 printable ASCII characters without spaces.';

/**
 * Checks the `Idempotency-Key` header on the GraphQL route (a hook of the
 * route itself, whatever spelling of its URL a request uses): a malformed key,
 * or two keys, is refused with BAD_USER_INPUT (`field: idempotencyKey`, HTTP
 * 400) before the body is read or anything is parsed or planned. Refused, not
 * dropped: a payment sent on without the key the client meant could be made
 * twice by its retry. A well-formed key goes on to every subgraph fetch of the
 * request (gateway-context.ts, meridian-data-source.ts). Call before the
 * route is mounted.
 */
export function useIdempotencyKey(app: FastifyInstance, options: IdempotencyKeyOptions = {}): void {
  const path = options.path ?? '/graphql';
  const check: onRequestHookHandler = async (request, reply) => {
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (key === undefined || (typeof key === 'string' && isIdempotencyKey(key))) return;
    // GraphQL over HTTP: answer in the media type the client asked for.
    const graphqlResponse = (request.headers.accept ?? '').includes('application/graphql-response+json');
    return reply
      .code(400)
      .type(`${graphqlResponse ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8`)
      .send(JSON.stringify(errorBody(ErrorCode.BAD_USER_INPUT, MESSAGE, { field: 'idempotencyKey' })));
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url === path) addRouteHook(route, 'onRequest', check);
  });
}
