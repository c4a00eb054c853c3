import { gatewayContextFromRequest, type GatewayContext } from '@meridian/supergraph';
import type { FastifyRequest } from 'fastify';

/**
 * What one BFF request carries into the in-process gateway. `authorization` is
 * the mobile app's own bearer header, or on the web the access token the BFF
 * holds for the browser's session cookie.
 */
export interface BffContext extends GatewayContext {
  /** Set on operations the BFF runs itself (a web sign-in or refresh), which client-facing guards let through. */
  internal?: boolean;
}

/**
 * Builds the context from a public client's request: its own address and agent,
 * never the `x-client-*` headers, which a client could forge.
 */
export function bffContextFromRequest(request: FastifyRequest): BffContext {
  return gatewayContextFromRequest(request, { trustClientHeaders: false });
}
