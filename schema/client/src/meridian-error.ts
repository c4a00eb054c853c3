/**
 * The `extensions.code` values the Meridian API returns (the platform's error
 * catalogue; a test keeps the two lists equal).
 */
export const API_ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'INSUFFICIENT_FUNDS',
  'LIMIT_EXCEEDED',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_ID_REQUIRED',
  'REQUEST_TOO_LARGE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'INVALID_CODE',
  'MFA_REQUIRED',
  'STEP_UP_REQUIRED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;

/** A code from the API's error catalogue. */
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/**
 * What {@link MeridianError.code} can be: a catalogue code, or one of the
 * client's own — `NETWORK_ERROR` (no answer: offline, DNS, TLS, aborted) and
 * `BAD_RESPONSE` (an answer that is not a GraphQL response, e.g. a proxy's
 * HTML error page).
 */
export type MeridianErrorCode = ApiErrorCode | 'NETWORK_ERROR' | 'BAD_RESPONSE';

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; retryAfter?: number; [key: string]: unknown };
}

const known = new Set<string>(API_ERROR_CODES);

/** The catalogue code of a raw `extensions.code`; anything unknown reads as INTERNAL_SERVER_ERROR. */
export function apiErrorCode(code: unknown): ApiErrorCode {
  return typeof code === 'string' && known.has(code) ? (code as ApiErrorCode) : 'INTERNAL_SERVER_ERROR';
}

/** Details of a {@link MeridianError}. */
export interface MeridianErrorDetails {
  /** HTTP status, when there was an answer. */
  status?: number;
  /** Every error of the response; the first one gives `code` and `message`. */
  errors?: GraphQLErrorEntry[];
  /** Data that resolved alongside the errors, if any. */
  data?: unknown;
  /** Seconds to wait before trying again (RATE_LIMITED: `extensions.retryAfter`, else the Retry-After header). */
  retryAfter?: number;
  /** The response's `x-request-id`, for support and logs. */
  requestId?: string;
  cause?: unknown;
}

/** A request that did not return data cleanly: a GraphQL error, an HTTP failure or no answer at all. */
export class MeridianError extends Error {
  readonly code: MeridianErrorCode;
  readonly status?: number;
  readonly errors: GraphQLErrorEntry[];
  readonly data?: unknown;
  readonly retryAfter?: number;
  readonly requestId?: string;

  constructor(code: MeridianErrorCode, message: string, details: MeridianErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MeridianError';
    this.code = code;
    this.status = details.status;
    this.errors = details.errors ?? [];
    this.data = details.data;
    this.retryAfter = details.retryAfter;
    this.requestId = details.requestId;
  }
}

/** True when `error` is a {@link MeridianError}, optionally with one of `codes`. */
export function isMeridianError(error: unknown, ...codes: MeridianErrorCode[]): error is MeridianError {
  return error instanceof MeridianError && (codes.length === 0 || codes.includes(error.code));
}

/** Seconds from a Retry-After header (a delay in seconds or an HTTP date). */
export function retryAfterSeconds(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** What a refused HTTP answer from a BFF route other than GraphQL carries. */
export interface RefusedAnswer {
  /** The route, for the message when the answer is not in the error shape. */
  path: string;
  status: number;
  /** The body, in the API's error shape (`{"errors": [{"message", "extensions": {"code"}}]}`) when the BFF refused. */
  body: unknown;
  retryAfterHeader?: string | null;
  requestId?: string;
}

/**
 * The MeridianError for a refused answer from a BFF's own routes (sign-in, uploads, downloads): the
 * first error's code and message, `retryAfter` from the error or else the header; BAD_RESPONSE when
 * the body is not in the error shape.
 */
export function refusalOf({ path, status, body, retryAfterHeader, requestId }: RefusedAnswer): MeridianError {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    return new MeridianError('BAD_RESPONSE', `Expected an answer from ${path}, got HTTP ${status}.`, { status, requestId });
  }
  const entries = errors as GraphQLErrorEntry[];
  const [first] = entries;
  const retryAfter = typeof first.extensions?.retryAfter === 'number' ? first.extensions.retryAfter : retryAfterSeconds(retryAfterHeader);
  return new MeridianError(apiErrorCode(first.extensions?.code), first.message, { status, errors: entries, retryAfter, requestId });
}

/** JSON text parsed, or undefined when it is not JSON. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
