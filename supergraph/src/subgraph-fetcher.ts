import type { RemoteGraphQLDataSource } from '@apollo/gateway';

// The gateway's own fetcher types, taken from the data source so no extra package is needed.
type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/** Default time one subgraph fetch may take, headers and body together. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 5_000;

/** Options for {@link createSubgraphFetcher}. */
export interface SubgraphFetcherOptions {
  /** Abort the fetch after this many ms; default 5000. */
  timeoutMs?: number;
}

/**
 * The fetcher subgraph calls use: Node's global fetch (undici), whose shared
 * agent keeps connections alive, with a per-call deadline. The signal also
 * covers reading the body, so a subgraph that stalls mid-response times out too.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions = {}): Fetcher {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
  return async (url, init = {}): Promise<FetcherResponse> => {
    const response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      // The gateway sends JSON text; a Buffer is copied only because BodyInit's typing wants a plain Uint8Array.
      body: typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // undici's Headers is iterable at runtime; the DOM typings just lack DOM.Iterable.
    return response as unknown as FetcherResponse;
  };
}
