import { gatewayContextFromRequest, type GatewayContext } from '@meridian/supergraph';
import type { FastifyRequest } from 'fastify';

/**
 * What one BFF request carries into the in-process gateway. Sessions will
 * put the signed-in user's token here; for now the client's own Authorization is passed on.
 */
export type BffContext = GatewayContext;

/**
 * Builds the context from a public client's request: its own address and agent,
 * never the `x-client-*` headers, which a client could forge.
 */
export function bffContextFromRequest(request: FastifyRequest): BffContext {
  return gatewayContextFromRequest(request, { trustClientHeaders: false });
}
