import { ErrorCode } from './error-code';

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

/** The catalogue code of a refusal known only by its HTTP status (4xx); BAD_USER_INPUT for the others. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 413:
      return ErrorCode.REQUEST_TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    default:
      return ErrorCode.BAD_USER_INPUT;
  }
}
