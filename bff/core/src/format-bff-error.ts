import { createErrorFormatter, ErrorCode, isErrorCode, type ErrorFormatterOptions } from '@meridian/platform';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

// Apollo Server's validation rule for introspection tags its error this way.
const INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED';

/**
 * Apollo relabels every validation error GRAPHQL_VALIDATION_FAILED, even when
 * our own rule (depth, later cost) gave it a documented code; the rule's error
 * is kept as `originalError`, so its code is put back here.
 */
function restoreValidationCode(formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== ErrorCode.GRAPHQL_VALIDATION_FAILED) return formatted;
  if (formatted.extensions.validationErrorCode === INTROSPECTION_DISABLED) {
    // Apollo's own text tells the caller how to switch it back on; say less.
    return { ...formatted, message: 'Introspection is disabled.' };
  }
  const inner = original instanceof GraphQLError ? original.originalError : undefined;
  const code = inner instanceof GraphQLError ? inner.extensions.code : undefined;
  return isErrorCode(code) ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted;
}

// graphql-js's parser stops at `maxTokens` with this message (sic "more that").
const TOKEN_LIMIT = /Document contains more th(?:an|at) (\d+) tokens/;

/** A parse stopped by the token limit is a limit, not a syntax error. */
function tokenLimitCode(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const match = formatted.extensions?.code === ErrorCode.GRAPHQL_PARSE_FAILED ? TOKEN_LIMIT.exec(formatted.message) : null;
  if (!match) return formatted;
  const limit = Number(match[1]);
  return {
    message: `Token limit of ${limit} exceeded.`,
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason: 'tokens', limit },
  };
}

/** The BFFs' formatError: platform masking, after restoring the codes of BFF limits. */
export function createBffErrorFormatter(options: ErrorFormatterOptions = {}) {
  const mask = createErrorFormatter(options);
  return (formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError =>
    mask(tokenLimitCode(restoreValidationCode(formatted, original)), original);
}
