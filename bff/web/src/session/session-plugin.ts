import { collectRootFields, type BffPlugin, type BffRequestListener } from '@meridian/bff-core';
import { ErrorCode, type Logger } from '@meridian/platform';
import { GraphQLError } from 'graphql';
import type { WebSessionStore } from './web-session-store';

/** Root fields that hand out or end tokens: on the web only the BFF's own /auth routes run them. */
const TOKEN_FIELDS = new Set(['login', 'refreshSession', 'logout', 'completeSignIn', 'stepUp']);

/**
 * The web sessions' step of the BFF pipeline: refuses token operations sent
 * by the browser (FORBIDDEN, reason WEB_SESSION_ONLY), and when a
 * `revokeSession` answers true, ends the browser session of that identity
 * session at once.
 */
export function useWebSessionGuard(store: WebSessionStore, log: () => Logger | undefined): BffPlugin {
  // One listener for every request: it reads all it needs from the request it is given.
  const listener: BffRequestListener = {
    async willSendResponse(context) {
      const { operation, response, document } = context;
      if (!operation || !document || response.body.kind !== 'single') return;
      const data = response.body.singleResult.data as Record<string, unknown> | null | undefined;
      // Each revokeSession that ran and answered true, under whatever alias or fragment it came.
      const revoked = collectRootFields({ ...context, document }).filter((f) => f.name === 'revokeSession' && data?.[f.responseKey] === true);
      for (const { args } of revoked) {
        if (typeof args.id === 'string') await store.destroyById(args.id).catch((err: Error) => log()?.warn({ err: err.message }, 'could not end a revoked web session'));
      }
    },
  };
  return {
    name: 'web-sessions',
    async guard(request) {
      if (request.contextValue.internal) return;
      const refused = [...new Set(collectRootFields(request).map((f) => f.name).filter((name) => TOKEN_FIELDS.has(name)))];
      if (refused.length) {
        throw new GraphQLError(
          `On the web, sign in and out with POST /auth/login (then POST /auth/mfa when a second factor is asked for) and POST /auth/logout, and step up with POST /auth/step-up; the session refreshes itself. Tokens never reach the browser (${refused.join(', ')}).`,
          { extensions: { code: ErrorCode.FORBIDDEN, reason: 'WEB_SESSION_ONLY', http: { status: 403 } } },
        );
      }
    },
    apollo: [
      {
        async requestDidStart() {
          return listener;
        },
      },
    ],
  };
}
