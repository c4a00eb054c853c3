import { Gauge, type Registry } from 'prom-client';
import type { BaseConfig } from '../config';
import type { Logger } from '../logger';
import { createRedisSessionRevocations } from './redis-session-revocations';
import { RevokedSessionSet } from './revoked-session-set';

/**
 * The list of ended sessions that every access-token check consults: identity
 * puts a session on it when the session ends (sign-out, revocation, refresh-token
 * reuse, a password reset), and every verifier — subgraphs, BFFs, the web BFF's
 * cookie sessions, the download routes — refuses the tokens of a session on it,
 * although their signatures are still good. Lookups are in memory; a shared
 * (Redis) list is copied into each process in the background.
 */
export interface SessionRevocations {
  /** Which adapter this is: `redis` is shared by every process, `memory` only by the servers of one process. */
  readonly kind: 'memory' | 'redis';
  /**
   * Puts sessions on the list for `keepMs` (as long as a token of theirs could
   * still be believed). Resolves once the shared list holds them, and this
   * process refuses them from then on; rejects when the list cannot be written.
   */
  revoke(sessionIds: readonly string[], keepMs: number): Promise<void>;
  /** Whether a session is on the list as this process last saw it: a lookup in memory, no I/O. */
  isRevoked(sessionId: string): boolean;
  /** Whether this process' copy is current: a memory list always is; a shared one was read within its staleness limit. */
  isCurrent(): boolean;
  /** Milliseconds since the copy was last read from the shared list (0 for memory): the age a metric reports. */
  syncAgeMs(): number;
  /** Stops the background reads and releases the connection. */
  close(): Promise<void>;
}

/** Options for {@link createMemorySessionRevocations}. */
export interface MemorySessionRevocationsOptions {
  /** Clock, for tests; default Date.now. */
  now?: () => number;
}

/**
 * The list held in this process (the embedded mode): every server of the
 * process must be given the same one, which `scripts/start.ts` does.
 */
export function createMemorySessionRevocations(options: MemorySessionRevocationsOptions = {}): SessionRevocations {
  const now = options.now ?? Date.now;
  const revoked = new RevokedSessionSet(now);
  return {
    kind: 'memory',
    async revoke(sessionIds, keepMs) {
      for (const sessionId of sessionIds) revoked.add(sessionId, now() + keepMs);
    },
    isRevoked: (sessionId) => revoked.has(sessionId),
    isCurrent: () => true,
    syncAgeMs: () => 0,
    async close() {
      revoked.clear();
    },
  };
}

/** Options for {@link openSessionRevocations}. */
export interface OpenSessionRevocationsOptions {
  logger?: Logger;
  /** Prefix of the Redis key; default REDIS_KEY_PREFIX. */
  keyPrefix?: string;
}

/**
 * The list the configuration asks for: shared in Redis when REDIS_URL is set
 * (read once before this resolves, whether Redis answers or not, then every
 * 250 ms in the background), else one in this process.
 */
export async function openSessionRevocations(config: BaseConfig, options: OpenSessionRevocationsOptions = {}): Promise<SessionRevocations> {
  if (!config.REDIS_URL) return createMemorySessionRevocations();
  const list = createRedisSessionRevocations({
    url: config.REDIS_URL,
    keyPrefix: options.keyPrefix ?? config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger: options.logger,
  });
  await list.firstSync;
  return list;
}

/**
 * Reports on a server's `/metrics` how old its copy of the list is
 * (`session_revocations_sync_age_seconds`, 0 for a list in memory), so an
 * alert can fire before money operations start refusing.
 */
export function registerSessionRevocationMetrics(registry: Registry, revocations: SessionRevocations): void {
  new Gauge({
    name: 'session_revocations_sync_age_seconds',
    help: 'Seconds since this process last read the shared list of ended sessions',
    registers: [registry],
    // A clustered server's primary reports its stalest worker, which the alert is about; a sum would mean nothing.
    aggregator: 'max',
    collect() {
      this.set(revocations.syncAgeMs() / 1000);
    },
  });
}
