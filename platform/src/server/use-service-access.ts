import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { SERVICE_TOKEN_HEADER, type ServiceTokenVerifier } from '../auth';
import { errorBody, ErrorCode, type DomainError } from '../errors';
import { addRouteHook } from './route-hooks';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Services whose tokens may call this route (on a server with service access); default every trusted service. */
    serviceCallers?: readonly string[];
  }
  interface FastifyRequest {
    /** The calling service, set once its service token is verified. */
    serviceCaller?: string;
  }
  interface FastifyInstance {
    /** Every route registered so far and who may call it: the server's access table. */
    routeAccess(): RouteAccess[];
  }
}

/** One route of a server and who may call it. */
export interface RouteAccess {
  method: string;
  /** The route as registered (`/internal/ledger/transfers/:id`), not a request URL. */
  url: string;
  /** `public`: anyone; `service`: a valid service token for this server, from `callers` when set. */
  access: 'public' | 'service';
  callers?: readonly string[];
}

/**
 * A route anyone may call, and with which methods: its registered URL
 * (`/health/live`, not a request URL) and the methods public on it (`GET`,
 * `HEAD`). Any other method on the same URL needs a service token, so a
 * method added to a public path later is never public by accident.
 */
export interface PublicRoute {
  url: string;
  methods: readonly string[];
}

/** Options for {@link useServiceAccess}. */
export interface ServiceAccessOptions {
  /** Checks a service token for this server (its audience) and returns the calling service. */
  verify: ServiceTokenVerifier;
  /**
   * Routes anyone may call, by registered URL and method. Every other route and
   * method, whenever and wherever it is registered, needs a service token.
   */
  publicRoutes: readonly PublicRoute[];
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function refuse(reply: FastifyReply, code: ErrorCode, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json').send(errorBody(code, message));
}

/**
 * Default-deny for an internal server: every route and method not on the
 * public list gets a service-token check as its first route hook, attached
 * when the route is registered (HEAD twins, public only when listed, and
 * routes of every plugin scope included). The check runs on the route that
 * will handle the request, so no spelling of its URL (percent-encoding,
 * absolute form, case) can reach the handler without it. A route narrows its
 * callers with `config.serviceCallers` (403 for a valid token from another
 * service). Call before any route is registered.
 */
export function useServiceAccess(app: FastifyInstance, options: ServiceAccessOptions): void {
  const publicMethods = new Map<string, Set<string>>();
  for (const route of options.publicRoutes) {
    const methods = publicMethods.get(route.url) ?? new Set<string>();
    for (const method of route.methods) methods.add(method.toUpperCase());
    publicMethods.set(route.url, methods);
  }
  const isPublic = (method: string, url: string) => publicMethods.get(url)?.has(String(method).toUpperCase()) ?? false;
  // The registered options themselves: hooks of the route's own scope may still set its config after this one.
  const registered: RouteOptions[] = [];

  async function checkToken(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const raw = request.headers[SERVICE_TOKEN_HEADER];
    let caller: string;
    try {
      caller = await options.verify(Array.isArray(raw) ? raw[0] : raw);
    } catch (err) {
      request.log.warn({ ip: request.ip, route: request.routeOptions.url }, 'request without a valid service token refused');
      const error = err as DomainError;
      return refuse(reply, ErrorCode.UNAUTHENTICATED, 401, error.code ? error.message : 'The service token is not valid.');
    }
    const callers = request.routeOptions.config.serviceCallers;
    if (callers && !callers.includes(caller)) {
      request.log.warn({ caller, route: request.routeOptions.url }, 'service not allowed on this route refused');
      return refuse(reply, ErrorCode.FORBIDDEN, 403, 'This service may not call this route.');
    }
    request.serviceCaller = caller;
    return undefined;
  }

  const guard: onRequestHookHandler = async (request, reply) => checkToken(request, reply);

  app.addHook('onRoute', (route: RouteOptions) => {
    registered.push(route);
    const methods = asArray(route.method).map(String);
    const open = methods.filter((method) => isPublic(method, route.url));
    if (open.length === methods.length) return;
    // One route can serve several methods: only its public ones (matched by the router, so exact) skip the check.
    const hook: onRequestHookHandler =
      open.length === 0 ? guard : async (request, reply) => (open.includes(request.method) ? undefined : checkToken(request, reply));
    addRouteHook(route, 'onRequest', hook, { first: true });
  });
  app.decorate('routeAccess', () =>
    registered.flatMap((route) =>
      asArray(route.method).map((method): RouteAccess => {
        if (isPublic(String(method), route.url)) return { method: String(method), url: route.url, access: 'public' };
        const callers = route.config?.serviceCallers;
        return { method: String(method), url: route.url, access: 'service', ...(callers ? { callers: [...callers] } : {}) };
      }),
    ),
  );
}

/**
 * Whether a request target is in origin form (RFC 9112 §3.2.1: an absolute
 * path and an optional query). Absolute form (`http://host/path`), asterisk
 * form, a leading `//` and fragments are not: routers treat them in ways a
 * path check does not expect.
 */
export function isOriginForm(target: string | undefined): boolean {
  return target !== undefined && target.startsWith('/') && !target.startsWith('//') && !target.includes('#');
}

/**
 * Refuses any request whose target is not in origin form with 400, as the
 * first hook of every route and of the not-found handler, before any
 * route-specific hook or handler sees it. Call before other hooks.
 */
export function useOriginFormOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (isOriginForm(request.raw.url)) return;
    request.log.warn({ target: request.raw.url?.slice(0, 200) }, 'request target not in origin form refused');
    return refuse(reply, ErrorCode.BAD_USER_INPUT, 400, 'The request target must be an absolute path (origin form), e.g. /graphql.');
  });
}
