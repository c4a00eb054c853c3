import { MeridianError, parseJsonOrUndefined, refusalOf, type SecondFactorMethod } from '@meridian/client';

/** The signed-in user as `POST /auth/login` and `POST /auth/mfa` answer it. */
export interface SignedInUser {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
}

/** A browser session as the BFF describes it. */
export interface WebSessionInfo {
  id: string;
  createdAt: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
}

/** What `GET /auth/session` answers while signed in. */
export interface CurrentSession {
  user: { id: string };
  session: WebSessionInfo;
}

/**
 * The web BFF's session routes (bff/web/src/session): the browser signs in,
 * finishes a second factor, steps up and signs out here, never through
 * GraphQL, and holds only the HttpOnly cookie they set. Every refusal rejects
 * with a MeridianError carrying the BFF's `extensions.code`.
 */
export interface AuthApi {
  /** The signed-in session, or null when signed out (401). */
  session(): Promise<CurrentSession | null>;
  /** `POST /auth/login`; rejects with MFA_REQUIRED (read it with `mfaChallengeOf`) when a second factor is due. */
  signIn(input: { email: string; password: string }): Promise<{ user: SignedInUser; session: WebSessionInfo }>;
  /** `POST /auth/mfa`: finishes a sign-in that answered MFA_REQUIRED. */
  completeSignIn(input: { mfaToken: string; method: SecondFactorMethod; code: string }): Promise<{ user: SignedInUser; session: WebSessionInfo }>;
  /** `POST /auth/step-up`: a fresh second factor for this session, for an operation that answered STEP_UP_REQUIRED. */
  stepUp(input: { method: SecondFactorMethod; code: string }): Promise<{ session: WebSessionInfo; amr: string[]; authTime: string }>;
  /** `POST /auth/logout`: resolves once the session has ended everywhere. */
  signOut(): Promise<void>;
}

export function createAuthApi(fetchImpl: typeof fetch, baseUrl = ''): AuthApi {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; data: T }> {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        credentials: 'same-origin',
        // The BFF takes only JSON on its session routes: a cross-site form cannot send it (CSRF).
        headers: method === 'POST' ? { accept: 'application/json', 'content-type': 'application/json' } : { accept: 'application/json' },
        body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
      });
    } catch (cause) {
      throw new MeridianError('NETWORK_ERROR', 'The Meridian API could not be reached.', { cause });
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const payload = parseJsonOrUndefined(await response.text());
    if (response.ok && payload !== undefined) return { status: response.status, data: payload as T };
    throw refusalOf({ path, status: response.status, body: payload, retryAfterHeader: response.headers.get('retry-after'), requestId });
  }

  return {
    async session() {
      try {
        return (await call<CurrentSession>('GET', '/auth/session')).data;
      } catch (err) {
        if (err instanceof MeridianError && err.code === 'UNAUTHENTICATED') return null;
        throw err;
      }
    },
    signIn: async (input) => (await call<{ user: SignedInUser; session: WebSessionInfo }>('POST', '/auth/login', input)).data,
    completeSignIn: async (input) => (await call<{ user: SignedInUser; session: WebSessionInfo }>('POST', '/auth/mfa', input)).data,
    stepUp: async (input) => (await call<{ session: WebSessionInfo; amr: string[]; authTime: string }>('POST', '/auth/step-up', input)).data,
    async signOut() {
      await call('POST', '/auth/logout', {});
    },
  };
}
