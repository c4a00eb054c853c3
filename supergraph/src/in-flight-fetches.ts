import type { SubgraphAnswer } from './subgraph-fetcher';

function keyOf(subgraph: string, caller: string, body: string): string {
  return `${subgraph}\n${caller}\n${body}`;
}

/**
 * Identical subgraph fetches in flight at once, sent once: when a fetch to the
 * same subgraph with the same body (document, variables, operation name) for
 * the same caller (the exact `Authorization` header: one user, one token, so
 * one set of scopes) is already on its way, the new one waits for its answer
 * instead of asking again. Callers are never mixed: a different token is a
 * different key. Each waiter parses the shared answer's text itself, so no two
 * requests share a result object.
 *
 * The gateway only asks for merging on queries; a write by a caller
 * ({@link wrote}) stops later fetches from joining the ones that caller
 * already had in flight, so a read that starts after a write never gets an
 * answer fetched before it.
 */
export class InFlightFetches {
  private readonly fetches = new Map<string, Promise<SubgraphAnswer>>();
  private readonly keysByCaller = new Map<string, Set<string>>();
  /** Fetches answered by one already in flight, since start. */
  merged = 0;
  /** Fetches sent, since start. */
  sent = 0;

  /** Whether {@link run} would join a fetch in flight rather than send. */
  has(subgraph: string, caller: string, body: string): boolean {
    return this.fetches.has(keyOf(subgraph, caller, body));
  }

  /** The answer of an identical fetch in flight for the same caller, else `send()`'s, shared with those that follow. */
  run(subgraph: string, caller: string, body: string, send: () => Promise<SubgraphAnswer>): Promise<SubgraphAnswer> {
    const key = keyOf(subgraph, caller, body);
    const inFlight = this.fetches.get(key);
    if (inFlight) {
      this.merged += 1;
      return inFlight;
    }
    this.sent += 1;
    const answer = send();
    this.fetches.set(key, answer);
    let keys = this.keysByCaller.get(caller);
    if (!keys) this.keysByCaller.set(caller, (keys = new Set()));
    keys.add(key);
    const done = () => {
      // Only this fetch's own entry: a write may have dropped it and a new one taken its place.
      if (this.fetches.get(key) === answer) this.fetches.delete(key);
      const own = this.keysByCaller.get(caller);
      if (own && !this.fetches.has(key)) {
        own.delete(key);
        if (own.size === 0) this.keysByCaller.delete(caller);
      }
    };
    answer.then(done, done);
    return answer;
  }

  /** `caller` writes (a mutation starts or ends): its fetches in flight are answered as they are, but no later fetch joins them. */
  wrote(caller: string): void {
    const keys = this.keysByCaller.get(caller);
    if (!keys) return;
    for (const key of keys) this.fetches.delete(key);
    this.keysByCaller.delete(caller);
  }

  /** Fetches in flight now that others may join. */
  get size(): number {
    return this.fetches.size;
  }
}
