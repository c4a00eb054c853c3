import { ErrorCode } from '@meridian/platform';
import { GraphQLError, type ValidationContext } from 'graphql';

/** Which limit refused an operation, in `extensions.reason`. */
export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'rootFields' | 'cost';

/** QUERY_TOO_COMPLEX naming the limit that was hit and its value. */
export function queryTooComplex(message: string, reason: LimitName, limit: number): GraphQLError {
  // http: a limit refused in a guard (after validation) answers 400 like one refused in validation.
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason, limit, http: { status: 400 } } });
}

/**
 * An onReject callback for graphql-armor rules: report (not throw, which would
 * escape graphql's validate() as a 500) with the limit named.
 */
export function reportLimit(reason: LimitName, limit: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(queryTooComplex(error.message.replace(/^Syntax Error: /, ''), reason, limit));
  };
}

/** SERVICE_UNAVAILABLE (503) for an operation that must not run without its shared limiter. */
export function failClosed(): GraphQLError {
  return new GraphQLError('This operation is temporarily unavailable. Try again shortly.', {
    extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
  });
}

/** RATE_LIMITED (429) with `retryAfter` seconds in the body and the Retry-After header. */
export function rateLimited(message: string, retryAfter: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfter, http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) } },
  });
}
