import { createBffServer, createTrustedDocumentStore, queryLimitsFrom, type BffDeps, type TrustedDocumentStore } from '@meridian/bff-core';
import type { MeridianServer } from '@meridian/platform';
import { loadTrustedDocumentsManifest } from '@meridian/schema';
import { trustedDocumentsMode, type MobileBffConfig } from './config';
import { refuseApiKeys } from './refuse-api-keys';
import { useRequireDeviceId } from './require-device-id';

/** The mobile BFF's name in logs and metrics, and the subject of its service tokens. */
export const MOBILE_BFF_NAME = 'bff-mobile';

/** What tests and the embedded starter wire into the mobile BFF. */
export interface MobileBffDeps extends BffDeps {
  /** The documents the app may run by id; default the generated mobile manifest (`schema/client/src/__generated__/mobile`). */
  trustedDocuments?: TrustedDocumentStore;
}

/**
 * The React Native app's BFF (port 4001): the shared pipeline with the app's
 * limits, trusted documents — the app sends `{"documentId": "sha256:…"}`
 * from its manifest, and in production nothing else runs — and sessions bound
 * to the device: sign-in and refresh must carry the app's device id. API keys
 * (`Authorization: ApiKey`) are refused: they are for the web API.
 */
export function createMobileBffServer(config: MobileBffConfig, deps: MobileBffDeps = {}): Promise<MeridianServer> {
  return createBffServer({
    name: MOBILE_BFF_NAME,
    config,
    limits: queryLimitsFrom('MOBILE', config),
    deps,
    plugins: [useRequireDeviceId()],
    // API keys belong to the web API; here they are refused before anything runs.
    routes: (app) => refuseApiKeys(app),
    trustedDocuments: {
      store: deps.trustedDocuments ?? createTrustedDocumentStore(loadTrustedDocumentsManifest('mobile')),
      mode: trustedDocumentsMode(config),
      maxBodyBytes: config.MOBILE_MAX_BODY_BYTES,
    },
  });
}
