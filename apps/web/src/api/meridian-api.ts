import { createMeridianClient, type MeridianClient } from '@meridian/client';
import { createAuthApi, type AuthApi } from './auth-api';

/** Everything the dashboard calls: GraphQL by trusted-document id, and the BFF's session routes. */
export interface MeridianApi {
  graphql: MeridianClient;
  auth: AuthApi;
}

/** Options for {@link createMeridianApi}. */
export interface MeridianApiOptions {
  /** The fetch to use; default the browser's. Tests pass a fake. */
  fetch?: typeof fetch;
  /** Where the web BFF is; default this page's origin, which serves the app. */
  baseUrl?: string;
}

/**
 * The dashboard's API: `@meridian/client` in its web mode (documents from
 * `@meridian/client/web` sent as `{"documentId"}` with the session cookie)
 * and the `/auth/*` routes. Nothing else in the app calls the network.
 */
export function createMeridianApi(options: MeridianApiOptions = {}): MeridianApi {
  // Bound late: the browser's fetch must be called on window, and tests may install one after import.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const baseUrl = options.baseUrl ?? '';
  return {
    graphql: createMeridianClient({ url: `${baseUrl}/graphql`, client: 'web', fetch: fetchImpl }),
    auth: createAuthApi(fetchImpl, baseUrl),
  };
}
