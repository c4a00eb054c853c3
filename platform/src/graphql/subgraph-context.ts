import type { FastifyRequest } from 'fastify';
import type { Logger } from '../logger';
import { bearerToken, type AccessTokenClaims, type AccessTokenVerifier } from '../auth';
import type { DomainError } from '../errors';
import { errors } from '../errors';

/** Headers the gateway uses to pass the end client's address and agent to subgraphs. */
export const CLIENT_IP_HEADER = 'x-client-ip';
export const CLIENT_USER_AGENT_HEADER = 'x-client-user-agent';
/** The client's idempotency key (Stripe's header), forwarded by the BFFs and the gateway to the subgraphs. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Whether `value` is a well-formed idempotency key: 1 to 255 printable ASCII characters, no spaces. */
export function isIdempotencyKey(value: string): boolean {
  return /^[\x21-\x7e]{1,255}$/.test(value);
}

/** What every subgraph resolver knows about the request. */
export interface SubgraphContext {
  requestId: string;
  /** The service that called (verified from its service token). */
  caller: string;
  /** The signed-in user, when a valid access token came with the request. */
  user?: AccessTokenClaims;
  /** Why the access token was refused, when one came and failed. */
  authError?: DomainError;
  clientIp: string;
  userAgent: string;
  /** The request's `Idempotency-Key` header, when the client sent one. */
  idempotencyKey?: string;
  log: Logger;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the context: the user's token is verified here, its failure kept for `requireUser`. */
export async function buildSubgraphContext(
  request: FastifyRequest,
  caller: string,
  verifyAccessToken: AccessTokenVerifier,
): Promise<SubgraphContext> {
  const context: SubgraphContext = {
    requestId: request.id,
    caller,
    clientIp: header(request, CLIENT_IP_HEADER) ?? request.ip,
    userAgent: (header(request, CLIENT_USER_AGENT_HEADER) ?? header(request, 'user-agent') ?? '').slice(0, 512),
    idempotencyKey: header(request, IDEMPOTENCY_KEY_HEADER),
    log: request.log as Logger,
  };
  const authorization = header(request, 'authorization');
  if (authorization) {
    const token = bearerToken(authorization);
    if (!token) {
      context.authError = errors.unauthenticated('The Authorization header must be "Bearer <token>".');
    } else {
      try {
        context.user = await verifyAccessToken(token);
      } catch (err) {
        context.authError = err as DomainError;
      }
    }
  }
  return context;
}

/** The signed-in user, or UNAUTHENTICATED with the reason the token was refused. */
export function requireUser(context: SubgraphContext): AccessTokenClaims {
  if (context.user) return context.user;
  throw context.authError ?? errors.unauthenticated();
}
