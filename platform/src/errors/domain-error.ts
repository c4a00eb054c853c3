import { GraphQLError } from 'graphql';
import { ErrorCode } from './error-code';

/** Extra, client-safe details carried in `extensions` next to the code. */
export type ErrorDetails = Record<string, unknown>;

/**
 * An expected failure with a documented code. Its message is written for the
 * API's users and is returned as is; anything else is masked.
 */
export class DomainError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, { extensions: { ...details, code } });
    this.code = code;
    this.name = 'DomainError';
  }
}

/** Shorthands for the common codes. */
export const errors = {
  unauthenticated: (message = 'Authentication is required.') =>
    new DomainError(ErrorCode.UNAUTHENTICATED, message),
  forbidden: (message = 'You are not allowed to do this.') => new DomainError(ErrorCode.FORBIDDEN, message),
  badInput: (message: string, details?: ErrorDetails) =>
    new DomainError(ErrorCode.BAD_USER_INPUT, message, details),
  notFound: (message: string) => new DomainError(ErrorCode.NOT_FOUND, message),
  conflict: (message: string, details?: ErrorDetails) => new DomainError(ErrorCode.CONFLICT, message, details),
  unavailable: (message = 'The service is temporarily unavailable. Try again shortly.') =>
    new DomainError(ErrorCode.SERVICE_UNAVAILABLE, message),
  invalidCode: (message = 'The code or link is not valid: it is wrong, already used or expired.', details?: ErrorDetails) =>
    new DomainError(ErrorCode.INVALID_CODE, message, details),
};
