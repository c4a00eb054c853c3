import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  CLIENT_IP_HEADER,
  CLIENT_USER_AGENT_HEADER,
  errors,
  IDEMPOTENCY_KEY_HEADER,
  REQUEST_ID_HEADER,
  recordError,
  SERVICE_TOKEN_HEADER,
  tracingEnabled,
  withSpan,
  type Logger,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './gateway-context';
import type { InFlightFetches } from './in-flight-fetches';
import { createSubgraphTransport, DEFAULT_SUBGRAPH_TIMEOUT_MS, type SubgraphAnswer, type SubgraphTransport } from './subgraph-fetcher';

/** Options for {@link MeridianDataSource}. */
export interface MeridianDataSourceOptions {
  /** The subgraph's name: the service token's audience and the name in logs. */
  name: string;
  /** The subgraph's GraphQL endpoint. */
  url: string;
  /** Mints the service token every fetch carries. */
  issueServiceToken: ServiceTokenIssuer;
  /** Where failed fetches are logged with the request id (the client only sees a code). */
  logger: Logger;
  /** How fetches reach the subgraph; default a transport of its own with a 5 s deadline (`timeoutMs`). */
  transport?: SubgraphTransport;
  /** Per-fetch deadline in ms of the default transport; default 5000. */
  timeoutMs?: number;
  /** Identical query fetches in flight, shared by every subgraph's data source; none: every fetch is sent. */
  inFlight?: InFlightFetches;
}

// Statuses that mean "not there right now" rather than "we sent something wrong".
const UNAVAILABLE_STATUSES = new Set([429, 502, 503, 504]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A subgraph's Cache-Control as a cache hint, as `@apollo/gateway`'s own data source reads it. */
function cacheHint(cacheControl: string | undefined): { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } {
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  for (const part of (cacheControl ?? '').split(',')) {
    const [name, value] = part.trim().toLowerCase().split('=');
    if (name === 'max-age' && /^[0-9]+$/.test(value ?? '')) hint.maxAge = Number(value);
    if (name === 'private') hint.scope = 'PRIVATE';
    if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}

/**
 * Meridian's subgraph data source: every fetch carries a service token for the
 * subgraph plus the caller's user token, trace and request ids and idempotency key; it has a deadline,
 * and when traced runs in a span `subgraph.fetch <name>` (merged or not, its status),
 * and a subgraph that is down, slow or overloaded becomes SERVICE_UNAVAILABLE
 * with the details in the log only. A subgraph's 401/403 is a gateway fault
 * (it refused *our* service token), not the user's, so it is not turned into
 * the client's UNAUTHENTICATED/FORBIDDEN.
 *
 * Fetches go out on kept-alive connections ({@link createSubgraphTransport}).
 * When the request asks for it (`mergeFetches`, set by the BFFs on queries of
 * signed-in customers), an identical query fetch already in flight for the
 * same caller is joined instead of sent again ({@link InFlightFetches}); a
 * mutation's fetches are never merged, and stop later reads of the same caller
 * from joining fetches sent before it.
 */
export class MeridianDataSource implements GraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly url: string;
  private readonly issueServiceToken: ServiceTokenIssuer;
  private readonly logger: Logger;
  private readonly transport: SubgraphTransport;
  private readonly inFlight?: InFlightFetches;

  constructor(options: MeridianDataSourceOptions) {
    this.name = options.name;
    this.url = options.url;
    this.issueServiceToken = options.issueServiceToken;
    this.logger = options.logger;
    this.transport = options.transport ?? createSubgraphTransport({ timeoutMs: options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS });
    this.inFlight = options.inFlight;
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { http: _ignored, query, ...rest } = options.request;
    if (!query) throw new Error('Missing query');
    // Health checks and schema loads run with an empty context: only the service token applies.
    const incoming = 'incomingRequestContext' in options ? options.incomingRequestContext : undefined;
    const context = (incoming ? options.context : {}) as Partial<GatewayContext>;
    const body = JSON.stringify({ query, ...rest });
    const caller = context.authorization;
    const write = incoming !== undefined && incoming.operation.operation !== 'query';
    const merge = this.inFlight !== undefined && caller !== undefined && context.mergeFetches === true && !write;
    const send = async () => this.transport.send(this.url, await this.headersFor(context), body);

    let answer: SubgraphAnswer;
    try {
      if (write && caller) this.inFlight?.wrote(caller);
      const merged = merge && this.inFlight!.has(this.name, caller!, body);
      const attributes = { 'meridian.subgraph': this.name, 'meridian.fetch.merged': merged, 'meridian.fetch.write': write };
      answer = await withSpan(`subgraph.fetch ${this.name}`, attributes, async (span) => {
        const answered = merge ? await this.inFlight!.run(this.name, caller!, body, send) : await send();
        span.setAttribute('http.response.status_code', answered.status);
        if (answered.status >= 500) recordError(span, new Error(`Subgraph "${this.name}" answered HTTP ${answered.status}`));
        return answered;
      });
    } catch (error) {
      throw this.failure(error as Error, undefined, context);
    } finally {
      if (write && caller) this.inFlight?.wrote(caller);
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw this.failure(new GraphQLError(`Subgraph "${this.name}" answered HTTP ${answer.status}`), answer.status, context);
    }
    const contentType = headerValue(answer.headers['content-type']) ?? '';
    let parsed: unknown;
    try {
      // Each request parses its own copy, merged or not: the gateway writes into what it receives.
      parsed = /^application\/(graphql-response\+)?json/.test(contentType) ? JSON.parse(answer.text) : answer.text;
    } catch (error) {
      throw this.failure(error as Error, answer.status, context);
    }
    if (!isObject(parsed)) {
      throw this.failure(new Error(`Expected JSON response body, but received: ${String(parsed).slice(0, 200)}`), answer.status, context);
    }
    const policy = incoming?.overallCachePolicy as { restrict?: (hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' }) => void } | undefined;
    policy?.restrict?.(cacheHint(headerValue(answer.headers['cache-control'])));
    return parsed as GatewayGraphQLResponse;
  }

  private async headersFor(context: Partial<GatewayContext>): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      [SERVICE_TOKEN_HEADER]: await this.issueServiceToken(this.name),
    };
    const forward: [string, string | undefined][] = [
      ['authorization', context.authorization],
      // When this process traces, the HTTP client's instrumentation sends the fetch's own span instead.
      ['traceparent', tracingEnabled() ? undefined : context.traceparent],
      ['tracestate', tracingEnabled() ? undefined : context.tracestate],
      [REQUEST_ID_HEADER, context.requestId],
      [CLIENT_IP_HEADER, context.clientIp],
      [CLIENT_USER_AGENT_HEADER, context.userAgent],
      [IDEMPOTENCY_KEY_HEADER, context.idempotencyKey],
    ];
    for (const [name, value] of forward) {
      if (value) headers[name] = value;
    }
    return headers;
  }

  /** Logs a failed fetch with the request id and answers the error the client gets: SERVICE_UNAVAILABLE when the subgraph is not there. */
  private failure(error: Error, status: number | undefined, context: Partial<GatewayContext>): Error {
    const unavailable = status === undefined || UNAVAILABLE_STATUSES.has(status);
    this.logger.error(
      { err: error, subgraph: this.name, url: this.url, status, requestId: context.requestId },
      unavailable ? 'subgraph unavailable' : 'subgraph fetch failed',
    );
    // No code on the other failures: the error formatter masks them as INTERNAL_SERVER_ERROR.
    return unavailable ? errors.unavailable() : error;
  }
}
