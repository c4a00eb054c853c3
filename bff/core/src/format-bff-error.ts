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

/** The BFFs' formatError: platform masking, after restoring the codes of BFF validation rules. */
export function createBffErrorFormatter(options: ErrorFormatterOptions = {}) {
  const mask = createErrorFormatter(options);
  return (formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError =>
    mask(restoreValidationCode(formatted, original), original);
}
