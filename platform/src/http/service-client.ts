import { Agent, request, type Dispatcher } from 'undici';
import { DomainError, ErrorCode, isErrorCode, ServiceCallError } from '../errors';
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
  /** How calls reach the network; tests pass an in-process one. Default undici's request on kept-alive connections. */
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

/** What one call answered: the HTTP status and the body's text. */
interface Answer {
  status: number;
  text: string;
}

type Send = (method: string, url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number) => Promise<Answer>;

/** Through `fetch` (a test's in-process one). */
function viaFetch(send: typeof fetch): Send {
  return async (method, url, headers, body, timeoutMs) => {
    const res = await send(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  };
}

/** Through undici's request on a pool of kept-alive connections: the lighter path for calls made many times a second. */
function viaUndici(): Send {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
  return async (method, url, headers, body, timeoutMs) => {
    const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.statusCode, text: await res.body.text() };
  };
}

/** A client for one service's internal API, authenticated with this service's own service tokens. */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const send = options.fetch ? viaFetch(options.fetch) : viaUndici();
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { [SERVICE_TOKEN_HEADER]: await options.serviceToken(options.audience) };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Answer;
      try {
        res = await send(method, `${base}${path}`, headers, body === undefined ? undefined : JSON.stringify(body), options.timeoutMs ?? 5_000);
      } catch (err) {
        throw new ServiceCallError(`${options.audience} did not answer ${method} ${path}`, undefined, { cause: err });
      }
      let parsed: unknown;
      try {
        parsed = res.text ? JSON.parse(res.text) : undefined;
      } catch {
        throw new ServiceCallError(`${options.audience} answered ${method} ${path} with ${res.status} and no JSON`, res.status);
      }
      if (res.status >= 200 && res.status < 300) return parsed as T;
      const error = domainErrorOf(parsed);
      // A 5xx is unknown territory unless the service said exactly what it did (SERVICE_UNAVAILABLE: nothing written).
      if (error && (res.status < 500 || error.code === ErrorCode.SERVICE_UNAVAILABLE)) throw error;
      throw new ServiceCallError(`${options.audience} answered ${method} ${path} with ${res.status}`, res.status);
    },
  };
}
