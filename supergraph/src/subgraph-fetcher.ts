import { Agent, request, type Dispatcher } from 'undici';

/** Default time a subgraph may take to send its answer's headers, and the longest pause within its body. */
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
  /** Fail a fetch whose headers take longer, or whose body pauses longer, than this many ms; default 5000. */
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
 * every call. A fetch fails when the subgraph sends no answer headers within
 * `timeoutMs`, or when its body stalls for `timeoutMs`: undici's own
 * timeouts on its coarse shared timer, so no fetch allocates an abort
 * controller and a timer of its own.
 */
export function createSubgraphTransport(options: SubgraphTransportOptions = {}): SubgraphTransport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
  const dispatcher: Dispatcher = new Agent({
    connections: options.connections ?? DEFAULT_SUBGRAPH_CONNECTIONS,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    async send(url, headers, body) {
      const response = await request(url, { method: 'POST', headers, body, dispatcher });
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    },
    close: () => dispatcher.close(),
  };
}
