import type { ErrorCode } from './error-code';

/** A GraphQL-shaped error response written outside GraphQL: `{ errors: [{ message, extensions: { code, … } }] }`. */
export interface ErrorBody {
  errors: { message: string; extensions: { code: ErrorCode } & Record<string, unknown> }[];
}

/**
 * The body of a refusal made before or beside GraphQL (HTTP errors, guards,
 * REST-style routes), in the shape clients already read for GraphQL errors.
 */
export function errorBody(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): ErrorBody {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}
