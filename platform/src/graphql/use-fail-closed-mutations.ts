import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, type Registry } from 'prom-client';
import type { SessionRevocations } from '../auth';
import { DomainError, ErrorCode } from '../errors';
import type { Logger } from '../logger';

/** Options for {@link useFailClosedMutations}. */
export interface FailClosedMutationsOptions {
  revocations: Pick<SessionRevocations, 'isCurrent' | 'syncAgeMs'>;
  logger: Logger;
  /** Where `session_revocations_refusals_total` is counted. */
  registry: Registry;
}

/**
 * Refuses every mutation with SERVICE_UNAVAILABLE (HTTP 503, which the
 * gateway passes on as SERVICE_UNAVAILABLE) while this process' copy of the
 * session revocation list is not current — Redis lost, or not read for a few
 * seconds — because it could not tell a signed-out token from a live one, and a
 * signed-out token must never move money. Queries go on: a stale list costs at
 * most a read by a token signed out moments ago.
 */
export function useFailClosedMutations<C extends object>(options: FailClosedMutationsOptions): ApolloServerPlugin<C> {
  const refusals = new Counter({
    name: 'session_revocations_refusals_total',
    help: 'Mutations refused because the list of ended sessions could not be read',
    registers: [options.registry],
  });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'mutation' || options.revocations.isCurrent()) return;
          refusals.inc();
          options.logger.warn({ syncAgeMs: options.revocations.syncAgeMs() }, 'mutation refused: the session revocation list is not current');
          throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'This cannot be done right now. Try again shortly.', { http: { status: 503 } });
        },
      };
    },
  };
}
