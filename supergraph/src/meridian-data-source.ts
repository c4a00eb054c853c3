import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  CLIENT_IP_HEADER,
  CLIENT_USER_AGENT_HEADER,
  errors,
  IDEMPOTENCY_KEY_HEADER,
  REQUEST_ID_HEADER,
  SERVICE_TOKEN_HEADER,
  type Logger,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './gateway-context';
import { createSubgraphFetcher, DEFAULT_SUBGRAPH_TIMEOUT_MS } from './subgraph-fetcher';

type FetcherResponse = Awaited<ReturnType<RemoteGraphQLDataSource['fetcher']>>;

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
  /** Per-fetch deadline in ms; default 5000. */
  timeoutMs?: number;
}

// Statuses that mean "not there right now" rather than "we sent something wrong".
const UNAVAILABLE_STATUSES = new Set([429, 502, 503, 504]);

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * Meridian's subgraph data source: every fetch carries a service token for the
 * subgraph plus the caller's user token, trace and request ids and idempotency key; it has a deadline,
 * and a subgraph that is down, slow or overloaded becomes SERVICE_UNAVAILABLE
 * with the details in the log only.
 */
export class MeridianDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  private readonly issueServiceToken: ServiceTokenIssuer;
  private readonly logger: Logger;

  constructor(options: MeridianDataSourceOptions) {
    super({ url: options.url });
    this.name = options.name;
    this.issueServiceToken = options.issueServiceToken;
    this.logger = options.logger;
    this.fetcher = createSubgraphFetcher({ timeoutMs: options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // `process` always sets request.http before calling this hook.
    const headers = request.http!.headers;
    headers.set(SERVICE_TOKEN_HEADER, await this.issueServiceToken(this.name));
    // Health checks and schema loads run with an empty context: only the service token applies.
    const forward: [string, string | undefined][] = [
      ['authorization', context.authorization],
      ['traceparent', context.traceparent],
      ['tracestate', context.tracestate],
      [REQUEST_ID_HEADER, context.requestId],
      [CLIENT_IP_HEADER, context.clientIp],
      [CLIENT_USER_AGENT_HEADER, context.userAgent],
      [IDEMPOTENCY_KEY_HEADER, context.idempotencyKey],
    ];
    for (const [name, value] of forward) {
      if (value) headers.set(name, value);
    }
  }

  /**
   * Replaces the default, which turns a subgraph's 401/403 into the client's
   * UNAUTHENTICATED/FORBIDDEN: a subgraph answering 401 refused *our* service
   * token, which is a gateway fault, not the user's.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    return new GraphQLError(`Subgraph "${this.name}" answered HTTP ${response.status} ${response.statusText}`);
  }

  override didEncounterError(
    error: Error,
    _fetchRequest: unknown,
    fetchResponse?: FetcherResponse,
    context?: GatewayContext,
  ): void {
    const unavailable =
      fetchResponse === undefined || isAbort(error) || UNAVAILABLE_STATUSES.has(fetchResponse.status);
    this.logger.error(
      { err: error, subgraph: this.name, url: this.url, status: fetchResponse?.status, requestId: context?.requestId },
      unavailable ? 'subgraph unavailable' : 'subgraph fetch failed',
    );
    // No code on the other failures: the error formatter masks them as INTERNAL_SERVER_ERROR.
    throw unavailable ? errors.unavailable() : error;
  }
}
