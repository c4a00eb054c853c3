import type { AccessTokenClaims, AccessTokenVerifier, RateLimitResult } from '@meridian/platform';
import { gatewayContextFromRequest, type GatewayContext } from '@meridian/supergraph';
import type { FastifyRequest } from 'fastify';

/** Who is calling, for rate limits: an API key has a bucket of its own. */
export type CallerClass = 'anonymous' | 'customer' | 'staff' | 'apiKey';

/** The caller as the limits count it: by API key, else by user when a valid token came, else by address. */
export interface Caller {
  key: string;
  class: CallerClass;
  /**
   * The person behind the caller, when it is not `key`: the owner of an API key
   * (`user:<id>`). Limits on credential and money fields count per person, so
   * many keys do not multiply them.
   */
  person?: string;
}

/**
 * What the pipeline learns about one request, written by one step and read by
 * later ones; made afresh for every GraphQL request (see useGuards).
 */
export interface BffRequestState {
  /** The operation's static cost: written by the cost limit, charged by the rate limits, reported on the response. */
  requestedCost?: number;
  /** Who is calling: the first step that needs it works it out ({@link callerOf}), the others reuse it. */
  caller?: Caller;
  /** The request's access token as verified once ({@link verifiedUser}): its claims, or why it was refused. */
  user?: { claims?: AccessTokenClaims; error?: unknown };
  /** The request window and cost budget after this request: written by the rate limits, reported on the response. */
  rateLimit?: RateLimitResult;
  /** Set when this query may be answered from, and kept in, the response cache: whose entries it reads (user, session, generation, scopes). */
  cache?: { key: string };
}

/**
 * What one BFF request carries into the in-process gateway. `authorization` is
 * the mobile app's own bearer header, or on the web the access token the BFF
 * holds for the browser's session cookie.
 */
export interface BffContext extends GatewayContext {
  /** Set on operations the BFF runs itself (a web sign-in or refresh), which client-facing guards let through. */
  internal?: boolean;
  /** This request's state, shared by the pipeline's steps. */
  state: BffRequestState;
}

/**
 * Builds the context from a public client's request: its own address and agent,
 * never the `x-client-*` headers, which a client could forge.
 */
export function bffContextFromRequest(request: FastifyRequest): BffContext {
  return { ...gatewayContextFromRequest(request, { trustClientHeaders: false }), state: {} };
}

const STAFF = new Set(['SUPPORT', 'COMPLIANCE', 'ADMIN']);

/** The `amr` of an access token exchanged for an API key (identity's API_KEY_AMR); its `sid` is the key's id. */
export const API_KEY_AMR = 'api_key';

/**
 * Who is calling, worked out once per request: the API key a valid bearer
 * token was exchanged for, else its user (staff by role), else the client's address. An invalid token counts
 * as anonymous here; the subgraphs refuse it.
 */
export async function callerOf(context: BffContext, verify?: AccessTokenVerifier): Promise<Caller> {
  if (context.state.caller) return context.state.caller;
  let caller: Caller = { key: `ip:${context.clientIp}`, class: 'anonymous' };
  // An invalid token is refused by the subgraph; for limits the caller is anonymous.
  const { claims } = verify ? await verifiedUser(context, verify) : {};
  if (claims?.amr.includes(API_KEY_AMR)) caller = { key: `apikey:${claims.sessionId}`, class: 'apiKey', person: `user:${claims.userId}` };
  else if (claims) caller = { key: `user:${claims.userId}`, class: claims.roles.some((r) => STAFF.has(r)) ? 'staff' : 'customer' };
  context.state.caller = caller;
  return caller;
}

/**
 * The request's bearer token, verified once per request and shared by the
 * steps that need it: its claims, or the error that refused it (none when no
 * token came).
 */
export async function verifiedUser(context: BffContext, verify: AccessTokenVerifier): Promise<{ claims?: AccessTokenClaims; error?: unknown }> {
  if (context.state.user) return context.state.user;
  const token = context.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  let user: { claims?: AccessTokenClaims; error?: unknown } = {};
  if (token) {
    try {
      user = { claims: await verify(token) };
    } catch (error) {
      user = { error };
    }
  } else if (context.authorization) {
    user = { error: new Error('malformed Authorization header') };
  }
  context.state.user = user;
  return user;
}
