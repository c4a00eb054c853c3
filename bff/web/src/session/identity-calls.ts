import { bffContextFromRequest, type BffContext, type BffHandle, type BffOperationResult } from '@meridian/bff-core';
import type { FastifyRequest } from 'fastify';

const LOGIN = /* GraphQL */ `
  mutation WebLogin($input: LoginInput!) {
    login(input: $input) { accessToken expiresAt refreshToken refreshExpiresAt user { id email displayName roles } }
  }`;
const REFRESH = /* GraphQL */ `
  mutation WebRefresh($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) { accessToken expiresAt refreshToken refreshExpiresAt }
  }`;
const COMPLETE_SIGN_IN = /* GraphQL */ `
  mutation WebCompleteSignIn($mfaToken: String!, $method: MfaMethod!, $code: String!) {
    completeSignIn(mfaToken: $mfaToken, method: $method, code: $code) { accessToken expiresAt refreshToken refreshExpiresAt user { id email displayName roles } }
  }`;
const STEP_UP = /* GraphQL */ `
  mutation WebStepUp($method: MfaMethod!, $code: String!) {
    stepUp(method: $method, code: $code) { accessToken expiresAt refreshToken refreshExpiresAt amr authTime }
  }`;
const LOGOUT = /* GraphQL */ `
  mutation WebLogout($refreshToken: String) { logout(refreshToken: $refreshToken) }`;

/** What identity answers a sign-in with. */
export interface WebLogin {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  user: { id: string; email: string; displayName: string; roles: string[] };
}

/** What identity answers a step-up with: a new pair for the same session, and how it is now authenticated. */
export interface WebStepUp {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  amr: string[];
  authTime: string;
}

/** A new token pair. */
export interface WebRefresh {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
}

/**
 * The token operations the web BFF runs itself, on the browser's behalf,
 * through its own pipeline (so limits apply) and marked internal (so the
 * guard that keeps tokens from browsers lets them through).
 */
export interface IdentityCalls {
  /** Connects the calls to the BFF once it is built. */
  attach(handle: BffHandle): void;
  login(request: FastifyRequest, input: { email: string; password: string }): Promise<BffOperationResult>;
  refresh(request: FastifyRequest, refreshToken: string): Promise<BffOperationResult>;
  /** Finishes a sign-in that answered MFA_REQUIRED; answers like `login`. */
  completeSignIn(request: FastifyRequest, input: { mfaToken: string; method: string; code: string }): Promise<BffOperationResult>;
  /** Steps the session of `accessToken` up with a second factor. */
  stepUp(request: FastifyRequest, input: { method: string; code: string }, accessToken: string): Promise<BffOperationResult>;
  logout(request: FastifyRequest, refreshToken: string, accessToken: string): Promise<BffOperationResult>;
}

export function createIdentityCalls(): IdentityCalls {
  let bff: BffHandle | undefined;
  const internalContext = (request: FastifyRequest, accessToken?: string): BffContext => ({
    ...bffContextFromRequest(request),
    authorization: accessToken ? `Bearer ${accessToken}` : undefined,
    // The browser's key names its own operation, not a sign-in or refresh the BFF runs around it.
    idempotencyKey: undefined,
    internal: true,
  });
  const run = (query: string, variables: Record<string, unknown>, context: BffContext) => {
    if (!bff) throw new Error('web sessions are not registered');
    return bff.execute({ query, variables }, context);
  };
  return {
    attach(handle) {
      bff = handle;
    },
    login: (request, input) => run(LOGIN, { input }, internalContext(request)),
    refresh: (request, refreshToken) => run(REFRESH, { refreshToken }, internalContext(request)),
    completeSignIn: (request, input) => run(COMPLETE_SIGN_IN, input, internalContext(request)),
    stepUp: (request, input, accessToken) => run(STEP_UP, input, internalContext(request, accessToken)),
    logout: (request, refreshToken, accessToken) => run(LOGOUT, { refreshToken }, internalContext(request, accessToken)),
  };
}
