import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { apiErrorCode, MeridianError, parseJsonOrUndefined, retryAfterSeconds, type GraphQLErrorEntry } from './meridian-error';

/** Which BFF the client talks to: they differ in how they authenticate and what they accept. */
export type MeridianClientKind = 'web' | 'mobile';

type Awaitable<T> = T | Promise<T>;

/** Options for {@link createMeridianClient}. */
export interface MeridianClientOptions {
  /** The BFF's GraphQL endpoint, e.g. `https://m.meridian.example/graphql`. */
  url: string;
  /**
   * Both send `{"documentId": "sha256:…", "variables"}` (never query text).
   * `mobile`: with a bearer token and the device id;
   * `web`: with the browser's session cookie (`credentials: "include"`).
   */
  client: MeridianClientKind;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
  /** Mobile only: the current access token, or nothing when signed out; sent as `Authorization: Bearer`. */
  getAccessToken?: () => Awaitable<string | null | undefined>;
  /** Mobile only: this installation's id, sent as `x-device-id` (also pass it to `login` and `refreshSession`). */
  deviceId?: string;
  /** Further headers for every request (e.g. a CSRF token on the web). */
  headers?: () => Awaitable<Record<string, string>>;
}

/** Per-request options. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Further headers for this request; `idempotencyKey` wins over an `Idempotency-Key` given here. */
  headers?: Record<string, string>;
  /**
   * Sent as the `Idempotency-Key` header (1 to 255 printable ASCII characters, no spaces;
   * the BFF refuses anything else with BAD_USER_INPUT, `field: idempotencyKey`). Make one
   * with `newIdempotencyKey()` per user intent (one mutation: a payment's create and its
   * confirm are two) and send the same key on every retry of that intent, so the server
   * acts once and answers a retry with the first answer; a new key is a new intent.
   * No key by default; this client never retries by itself.
   */
  idempotencyKey?: string;
}

/** Variables are optional exactly when the operation has no required ones. */
export type RequestArgs<TVariables> = Record<string, never> extends TVariables
  ? [variables?: TVariables, options?: RequestOptions]
  : [variables: TVariables, options?: RequestOptions];

/** A client bound to one BFF. */
export interface MeridianClient {
  /**
   * Runs a generated document (`…Document` from `@meridian/client/mobile` or
   * `/web`) and resolves with its typed data; any GraphQL error, HTTP failure
   * or missing answer rejects with a {@link MeridianError}. For an operation that
   * moves money, pass `{ idempotencyKey }` and reuse it when retrying that same request.
   */
  request<TResult, TVariables>(document: DocumentTypeDecoration<TResult, TVariables>, ...args: RequestArgs<TVariables>): Promise<TResult>;
}

/** The header a request's idempotency key travels in (Stripe's). */
const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** GraphQL over HTTP: the JSON media types a client accepts, the newer first. */
const ACCEPT = 'application/graphql-response+json, application/json';

/** The `documentId` a document is sent as: `sha256:` and the hash of its manifest entry. */
export function documentIdOf(document: DocumentTypeDecoration<unknown, never>): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
    throw new TypeError('This document has no trusted-document hash: use a generated document from @meridian/client/mobile or /web');
  }
  return `sha256:${hash}`;
}

/** The query text of a web document. */
function queryTextOf(document: DocumentTypeDecoration<unknown, never>): string {
  const text = String(document);
  if (!/\b(query|mutation|subscription)\b/.test(text)) {
    throw new TypeError('This document carries no query text: the web client needs a document from @meridian/client/web');
  }
  return text;
}

interface GraphQLResponseBody {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

function isGraphQLResponse(value: unknown): value is GraphQLResponseBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const body = value as GraphQLResponseBody;
  return 'data' in body || (Array.isArray(body.errors) && body.errors.length > 0);
}

/**
 * A typed client for a Meridian BFF with no dependency beyond `fetch`, for the
 * React Native app (`client: 'mobile'`) and the web dashboard (`client: 'web'`).
 */
export function createMeridianClient(options: MeridianClientOptions): MeridianClient {
  const { url, client } = options;
  if (client === 'web' && (options.getAccessToken || options.deviceId)) {
    throw new TypeError('The web client sends no token or device id: the web BFF keeps the session in an HttpOnly cookie');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('createMeridianClient needs fetch (pass options.fetch)');

  async function send(document: DocumentTypeDecoration<unknown, never>, variables: unknown, requestOptions: RequestOptions = {}) {
    // Both BFFs run trusted documents by id. A web document must still be one with text (from
    // @meridian/client/web): an app document's id would not be in the web BFF's manifest.
    if (client === 'web') queryTextOf(document);
    const body = { documentId: documentIdOf(document), variables };
    const headers: Record<string, string> = {
      accept: ACCEPT,
      'content-type': 'application/json',
      ...(await options.headers?.()),
      ...requestOptions.headers,
    };
    if (requestOptions.idempotencyKey !== undefined) {
      // One key only: fetch would join two spellings of the header into a value the BFF refuses.
      for (const name of Object.keys(headers)) if (name.toLowerCase() === IDEMPOTENCY_KEY_HEADER) delete headers[name];
      headers[IDEMPOTENCY_KEY_HEADER] = requestOptions.idempotencyKey;
    }
    if (client === 'mobile') {
      const token = await options.getAccessToken?.();
      if (token) headers.authorization = `Bearer ${token}`;
      if (options.deviceId) headers['x-device-id'] = options.deviceId;
    }
    try {
      return await fetchImpl(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        // The web BFF's session is an HttpOnly cookie; the app authenticates with its bearer token only.
        credentials: client === 'web' ? 'include' : 'omit',
        signal: requestOptions.signal,
      });
    } catch (cause) {
      throw new MeridianError('NETWORK_ERROR', 'The Meridian API could not be reached.', { cause });
    }
  }

  return {
    async request<TResult, TVariables>(document: DocumentTypeDecoration<TResult, TVariables>, ...[variables, requestOptions]: RequestArgs<TVariables>) {
      const response = await send(document as DocumentTypeDecoration<unknown, never>, variables, requestOptions);
      const requestId = response.headers.get('x-request-id') ?? undefined;
      const headerRetryAfter = retryAfterSeconds(response.headers.get('retry-after'));
      const payload = parseJsonOrUndefined(await response.text());
      if (!isGraphQLResponse(payload)) {
        throw new MeridianError('BAD_RESPONSE', `Expected a GraphQL response, got HTTP ${response.status}.`, {
          status: response.status,
          requestId,
          retryAfter: headerRetryAfter,
        });
      }
      if (payload.errors?.length) {
        const [first] = payload.errors;
        const retryAfter = typeof first.extensions?.retryAfter === 'number' ? first.extensions.retryAfter : headerRetryAfter;
        throw new MeridianError(apiErrorCode(first.extensions?.code), first.message, {
          status: response.status,
          errors: payload.errors,
          data: payload.data ?? undefined,
          retryAfter,
          requestId,
        });
      }
      if (!response.ok || payload.data == null) {
        throw new MeridianError('BAD_RESPONSE', `Expected data, got HTTP ${response.status}.`, { status: response.status, requestId });
      }
      return payload.data as TResult;
    },
  };
}
