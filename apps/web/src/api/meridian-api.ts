import { createMeridianClient, type MeridianClient } from '@meridian/client';
import { createAuthApi, type AuthApi } from './auth-api';
import { createExportsApi, type ExportsApi } from './exports-api';
import { createUploadApi, type UploadApi } from './upload-api';

/** Everything the dashboard calls: GraphQL by trusted-document id, the BFF's session routes, its uploads and its downloads. */
export interface MeridianApi {
  graphql: MeridianClient;
  auth: AuthApi;
  uploads: UploadApi;
  /** Files the BFF sends as downloads (the transactions CSV). */
  exports: ExportsApi;
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
 * `@meridian/client/web` sent as `{"documentId"}` with the session cookie),
 * the `/auth/*` routes, `POST /uploads` and the `/exports/` downloads. Nothing else in the app calls the network.
 */
export function createMeridianApi(options: MeridianApiOptions = {}): MeridianApi {
  // Bound late: the browser's fetch must be called on window, and tests may install one after import.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const baseUrl = options.baseUrl ?? '';
  return {
    graphql: createMeridianClient({ url: `${baseUrl}/graphql`, client: 'web', fetch: fetchImpl }),
    auth: createAuthApi(fetchImpl, baseUrl),
    uploads: createUploadApi(baseUrl),
    exports: createExportsApi(fetchImpl, baseUrl),
  };
}
