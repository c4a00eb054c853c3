import { Agent, request, type Dispatcher } from 'undici';

/** Default time one subgraph fetch may take, headers and body together. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 5_000;

/** Default number of kept-alive connections to each subgraph. */
export const DEFAULT_SUBGRAPH_CONNECTIONS = 64;

/** What a subgraph answered: status, headers (lower-case names) and the body's text. */
export interface SubgraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Options for {@link createSubgraphTransport}. */
export interface SubgraphTransportOptions {
  /** Abort a fetch after this many ms; default 5000. */
  timeoutMs?: number;
  /** Kept-alive connections to each subgraph at most; further fetches wait for one. Default 64. */
  connections?: number;
}

/** How the gateway's subgraph fetches reach the network. */
export interface SubgraphTransport {
  /** POSTs `body` (GraphQL over HTTP JSON) to `url`; rejects when no answer came in time. */
  send(url: string, headers: Record<string, string>, body: string): Promise<SubgraphAnswer>;
  /** Closes the kept-alive connections. */
  close(): Promise<void>;
}

/**
 * Subgraph fetches on undici's request API over a pool of kept-alive
 * connections per subgraph, without the WHATWG fetch layer (Request and
 * Response objects, streams, resource timing) that global `fetch` adds to
 * every call. Each fetch has a deadline whose signal also covers reading the
 * body, so a subgraph that stalls mid-response times out too.
 */
export function createSubgraphTransport(options: SubgraphTransportOptions = {}): SubgraphTransport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
  const dispatcher: Dispatcher = new Agent({
    connections: options.connections ?? DEFAULT_SUBGRAPH_CONNECTIONS,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
  });
  return {
    async send(url, headers, body) {
      // A deadline cleared once the answer is read: a timeout signal would still fire, long after, for every fetch.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      try {
        const response = await request(url, { method: 'POST', headers, body, dispatcher, signal: deadline.signal });
        return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => dispatcher.close(),
  };
}
