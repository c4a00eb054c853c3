import { ErrorCode } from '@meridian/platform';
import { GraphQLError, type ValidationContext } from 'graphql';

/** Which limit refused an operation, in `extensions.reason`. */
export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'rootFields' | 'cost';

/** QUERY_TOO_COMPLEX naming the limit that was hit and its value. */
export function queryTooComplex(message: string, reason: LimitName, limit: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason, limit } });
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
