import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode, ErrorCode } from './error-code';

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
const publicExtensionKeys = new Set(['code', 'retryAfter', 'limit', 'field', 'fields', 'reason']);

/**
 * Builds Apollo's `formatError`: documented codes pass with their message,
 * anything else becomes INTERNAL_SERVER_ERROR with a generic message.
 */
export function createErrorFormatter(options: ErrorFormatterOptions = {}) {
  return (formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError => {
    const rawCode = formatted.extensions?.code;
    const code = typeof rawCode === 'string' ? (apolloCodes[rawCode] ?? rawCode) : undefined;
    if (isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const extensions: Record<string, unknown> = { code };
      for (const [key, value] of Object.entries(formatted.extensions ?? {})) {
        if (key !== 'code' && publicExtensionKeys.has(key)) extensions[key] = value;
      }
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    options.onMasked?.(original, formatted);
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
