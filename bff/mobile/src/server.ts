import { createBffServer, queryLimitsFrom, type BffDeps } from '@meridian/bff-core';
import type { MeridianServer } from '@meridian/platform';
import type { MobileBffConfig } from './config';

/** The mobile BFF's name in logs and metrics, and the subject of its service tokens. */
export const MOBILE_BFF_NAME = 'bff-mobile';

/** The React Native app's BFF (port 4001): the shared pipeline with the app's depth limit. */
export function createMobileBffServer(config: MobileBffConfig, deps: BffDeps = {}): Promise<MeridianServer> {
  return createBffServer({ name: MOBILE_BFF_NAME, config, limits: queryLimitsFrom('MOBILE', config), deps });
}
