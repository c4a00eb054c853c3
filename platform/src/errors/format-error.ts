import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isErrorCode, ErrorCode } from './error-code';
import { ServiceCallError } from './service-call-error';

/** Options for {@link createErrorFormatter}. */
export interface ErrorFormatterOptions {
  /** Keep stack traces and original messages of unexpected errors (development only). Default false. */
  exposeDetails?: boolean;
  /** Receives every masked error with its original so it can be logged with the request id. */
  onMasked?: (original: unknown, formatted: GraphQLFormattedError) => void;
}

/** Apollo's own codes that are safe to show, mapped onto the catalogue. */
const apolloCodes: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: ErrorCode.GRAPHQL_PARSE_FAILED,
  GRAPHQL_VALIDATION_FAILED: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  BAD_USER_INPUT: ErrorCode.BAD_USER_INPUT,
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.PERSISTED_QUERY_NOT_FOUND,
};

/** Extension keys that may reach a client; everything else (serviceName, stacktrace, exception) is dropped. */
const publicExtensionKeys = new Set([
  'code',
  'retryAfter',
  'limit',
  'field',
  'fields',
  'reason',
  'attemptsRemaining',
  'missing',
  'state',
  'caseId',
  'tier',
  // MFA_REQUIRED: the sign-in's token and the methods that finish it; STEP_UP_REQUIRED: the window, methods and action.
  'mfaToken',
  'methods',
  'expiresAt',
  'maxAgeSeconds',
  'action',
  // createApiKey: the scopes a key may not be given.
  'scopes',
]);

// Apollo Server's validation rule for introspection tags its error this way.
const INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED';
// graphql-js's parser stops at `maxTokens` with this message (sic "more that").
const TOKEN_LIMIT = /Document contains more th(?:an|at) (\d+) tokens/;

/**
 * What an error says once Apollo's relabelling is undone: a validation rule's
 * own documented code (Apollo calls every validation error
 * GRAPHQL_VALIDATION_FAILED and keeps the rule's error as `originalError`), a
 * parse stopped by the token limit as the limit it is, and Apollo's
 * introspection refusal without its advice on switching it back on.
 */
function restoreMeaning(formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code === ErrorCode.GRAPHQL_PARSE_FAILED) {
    const match = TOKEN_LIMIT.exec(formatted.message);
    if (match) return { message: `Token limit of ${match[1]} exceeded.`, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason: 'tokens', limit: Number(match[1]) } };
  }
  if (code !== ErrorCode.GRAPHQL_VALIDATION_FAILED) return formatted;
  if (formatted.extensions?.validationErrorCode === INTROSPECTION_DISABLED) return { ...formatted, message: 'Introspection is disabled.' };
  const inner = original instanceof GraphQLError ? original.originalError : undefined;
  const innerCode = inner instanceof GraphQLError ? inner.extensions.code : undefined;
  return isErrorCode(innerCode) ? { ...formatted, extensions: { ...formatted.extensions, code: innerCode } } : formatted;
}

/** Whether `original` is, or wraps, a call to another service left without an answer. */
function isUnansweredCall(original: unknown): boolean {
  return (original instanceof GraphQLError ? original.originalError : original) instanceof ServiceCallError;
}

/** The documented code an error keeps, its meaning restored; undefined when the masking hides the error. */
function documentedCode(restored: GraphQLFormattedError): ErrorCode | undefined {
  const rawCode = restored.extensions?.code;
  const code = typeof rawCode === 'string' ? (apolloCodes[rawCode] ?? rawCode) : undefined;
  return isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR ? code : undefined;
}

/**
 * The catalogue code a client is shown for an error, decided as
 * {@link createErrorFormatter} decides it, so that logs and metrics count what
 * the client saw: its documented code; SERVICE_UNAVAILABLE for a call to
 * another service left without an answer; else INTERNAL_SERVER_ERROR.
 */
export function clientCodeOf(formatted: GraphQLFormattedError, original: unknown): ErrorCode {
  return documentedCode(restoreMeaning(formatted, original)) ?? (isUnansweredCall(original) ? ErrorCode.SERVICE_UNAVAILABLE : ErrorCode.INTERNAL_SERVER_ERROR);
}

/** Whether the masking hides an error's message and details (an unexpected error, a service that did not answer): such an error belongs in the log. */
export function isMaskedError(formatted: GraphQLFormattedError, original: unknown): boolean {
  return documentedCode(restoreMeaning(formatted, original)) === undefined;
}

/**
 * The one error masking of every Meridian server (Apollo's `formatError`):
 * documented codes pass with their message and public extensions, a call to
 * another service left without an answer becomes SERVICE_UNAVAILABLE, anything
 * else becomes INTERNAL_SERVER_ERROR with a generic message; both reported to
 * `onMasked` for the log.
 */
export function createErrorFormatter(options: ErrorFormatterOptions = {}) {
  return (formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError => {
    const restored = restoreMeaning(formatted, original);
    const code = documentedCode(restored);
    if (code) {
      const extensions: Record<string, unknown> = { code };
      for (const [key, value] of Object.entries(restored.extensions ?? {})) {
        if (key !== 'code' && publicExtensionKeys.has(key)) extensions[key] = value;
      }
      return { message: restored.message, locations: restored.locations, path: restored.path, extensions };
    }
    options.onMasked?.(original, formatted);
    // Another service did not answer: the client may try again (with its idempotency key, if the request moves money).
    if (isUnansweredCall(original)) {
      return { message: 'A service this request needs did not answer. Try again shortly.', path: formatted.path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
    }
    if (options.exposeDetails) {
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
