import { Gauge, type Registry } from 'prom-client';
import { registeredMetric } from '../server/metrics';
import type { KeySet } from './key-set';

/** A signing key as its age is reported. */
export interface SigningKeyAge {
  kid: string;
  /** When it was made (or first published); keys without a known time are not reported. */
  createdAt?: Date;
  /** Whether it signs now (the others are kept so tokens they signed still verify). */
  active: boolean;
}

// Every key source of a registry, read by its one gauge.
const sources = new WeakMap<Registry, Map<string, () => SigningKeyAge[]>>();

/**
 * `signing_key_created_timestamp_seconds{owner, kid, active}`: when each signing key
 * `owner` holds was made, read when scraped. Meridian's keys carry no expiry, so their
 * age is what an alert watches (rotate the active key before it is too old). A clustered
 * server's workers hold the same keys: the primary reports one value, not a sum.
 */
export function registerSigningKeyMetrics(registry: Registry, owner: string, keys: () => SigningKeyAge[]): void {
  const owners = sources.get(registry) ?? new Map<string, () => SigningKeyAge[]>();
  sources.set(registry, owners);
  owners.set(owner, keys);
  registeredMetric(
    registry,
    'signing_key_created_timestamp_seconds',
    () =>
      new Gauge({
        name: 'signing_key_created_timestamp_seconds',
        help: 'When each signing key was made (unix seconds), by owner, key id and whether it signs now',
        labelNames: ['owner', 'kid', 'active'],
        registers: [registry],
        aggregator: 'max',
        collect() {
          this.reset();
          for (const [name, read] of sources.get(registry) ?? []) {
            for (const key of read()) {
              if (key.createdAt) this.set({ owner: name, kid: key.kid, active: String(key.active) }, key.createdAt.getTime() / 1000);
            }
          }
        },
      }),
  );
}

/** The ages of a service's own signing keys: the first signs, the rest are kept through a rotation. */
export function signingKeyAges(keys: KeySet): () => SigningKeyAge[] {
  return () => keys.keys.map((key) => ({ kid: key.kid, createdAt: key.createdAt, active: key.kid === keys.active.kid }));
}
