import { CLIENT_IP_HEADER, CLIENT_USER_AGENT_HEADER, IDEMPOTENCY_KEY_HEADER } from '@meridian/platform';
import type { FastifyRequest } from 'fastify';

/** What the gateway forwards to subgraphs from the request it is serving. */
export interface GatewayContext {
  /** The request id, sent on as `x-request-id` and written next to every logged error. */
  requestId: string;
  /** The end user's `Authorization` header, passed on untouched: subgraphs verify it themselves. */
  authorization?: string;
  /** W3C trace context, passed on so subgraph spans join the caller's trace. */
  traceparent?: string;
  tracestate?: string;
  /** The end client's address and user agent (not the BFF's), for audit and abuse checks. */
  clientIp: string;
  userAgent: string;
  /**
   * The client's `Idempotency-Key` header, sent on to every subgraph fetch of this request
   * (the route refused a malformed one, see useIdempotencyKey).
   */
  idempotencyKey?: string;
  /**
   * Whether this request's subgraph query fetches may join identical ones in flight for the
   * same `authorization` (see InFlightFetches). Off unless set: the BFFs set it on queries of
   * signed-in customers and API keys, never on staff reads (each is audited on its own).
   */
  mergeFetches?: boolean;
}

/** Options for {@link gatewayContextFromRequest}. */
export interface GatewayContextOptions {
  /**
   * Take the client's address and agent from `x-client-ip` / `x-client-user-agent`.
   * Only for callers already proven by a service token; a public BFF must keep the default, false,
   * or any client could claim to be anyone.
   */
  trustClientHeaders?: boolean;
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;
const MAX_TRACESTATE = 512;
const MAX_USER_AGENT = 512;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the gateway context from a Fastify request; malformed trace headers are dropped, not forwarded. */
export function gatewayContextFromRequest(request: FastifyRequest, options: GatewayContextOptions = {}): GatewayContext {
  const trusted = options.trustClientHeaders ?? false;
  const forwarded = (name: string) => (trusted ? header(request, name) : undefined);
  const traceparent = header(request, 'traceparent')?.trim().toLowerCase();
  const tracestate = header(request, 'tracestate');
  const validTrace = traceparent !== undefined && TRACEPARENT.test(traceparent);
  const userAgent = forwarded(CLIENT_USER_AGENT_HEADER) ?? header(request, 'user-agent') ?? '';
  return {
    requestId: request.id,
    authorization: header(request, 'authorization'),
    traceparent: validTrace ? traceparent : undefined,
    // tracestate means nothing without its traceparent (W3C trace context).
    tracestate: validTrace && tracestate && tracestate.length <= MAX_TRACESTATE ? tracestate : undefined,
    clientIp: forwarded(CLIENT_IP_HEADER) ?? request.ip,
    userAgent: userAgent.slice(0, MAX_USER_AGENT),
    // Taken from any caller, trusted or not: it names the client's intent, not who the client is.
    idempotencyKey: header(request, IDEMPOTENCY_KEY_HEADER),
  };
}
