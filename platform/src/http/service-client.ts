import { DomainError, ErrorCode, isErrorCode } from '../errors';
import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '../auth';

/** Options for {@link createServiceClient}. */
export interface ServiceClientOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:4202`. */
  baseUrl: string;
  /** The service called: the audience of the service tokens sent. */
  audience: string;
  /** Mints this service's own service tokens. */
  serviceToken: ServiceTokenIssuer;
  /** Longest one call may take, in ms; default 5 s. */
  timeoutMs?: number;
  /** How calls reach the network; tests pass an in-process one. Default the global fetch. */
  fetch?: typeof fetch;
}

/** A JSON call to another Meridian service's internal API. */
export interface ServiceClient {
  /**
   * Sends `body` as JSON and answers the parsed JSON. An answer in the error
   * shape with a catalogue code becomes that DomainError; anything else
   * (a timeout, a lost connection, a 5xx without a code) is a
   * {@link ServiceCallError}, whose outcome is unknown to the caller.
   */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/**
 * A call whose outcome the caller cannot know: it may or may not have been
 * applied. Only idempotent calls are retried after it, with the same ids.
 */
export class ServiceCallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceCallError';
  }
}

/** Reads `{ errors: [{ message, extensions: { code } }] }` or `{ error: { code, message } }`, the two shapes the internal APIs answer. */
function domainErrorOf(body: unknown): DomainError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { errors?: { message?: unknown; extensions?: Record<string, unknown> }[]; error?: Record<string, unknown> };
  const first = b.errors?.[0];
  if (first && isErrorCode(first.extensions?.code)) {
    const { code, ...details } = first.extensions!;
    return new DomainError(code as ErrorCode, String(first.message ?? code), details);
  }
  if (b.error && isErrorCode(b.error.code)) {
    const { code, message, ...details } = b.error;
    return new DomainError(code as ErrorCode, String(message ?? code), details);
  }
  return undefined;
}

/** A client for one service's internal API, authenticated with this service's own service tokens. */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const send = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { [SERVICE_TOKEN_HEADER]: await options.serviceToken(options.audience) };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      let text: string;
      try {
        res = await send(`${base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
        text = await res.text();
      } catch (err) {
        throw new ServiceCallError(`${options.audience} did not answer ${method} ${path}`, undefined, { cause: err });
      }
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        throw new ServiceCallError(`${options.audience} answered ${method} ${path} with ${res.status} and no JSON`, res.status);
      }
      if (res.ok) return parsed as T;
      const error = domainErrorOf(parsed);
      // A 5xx is unknown territory unless the service said exactly what it did (SERVICE_UNAVAILABLE: nothing written).
      if (error && (res.status < 500 || error.code === ErrorCode.SERVICE_UNAVAILABLE)) throw error;
      throw new ServiceCallError(`${options.audience} answered ${method} ${path} with ${res.status}`, res.status);
    },
  };
}
