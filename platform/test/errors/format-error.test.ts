import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import {
  clientCodeOf,
  createErrorFormatter,
  DomainError,
  ErrorCode,
  errors,
  httpStatusFor,
  isMaskedError,
  isUniqueViolation,
  mapPostgresError,
  ServiceCallError,
  sqlState,
} from '@meridian/platform';

/** What Apollo hands formatError: the formatted error and the original. */
function apolloShape(error: GraphQLError, extra: Record<string, unknown> = {}): [GraphQLFormattedError, GraphQLError] {
  const formatted = error.toJSON();
  return [{ ...formatted, extensions: { ...formatted.extensions, ...extra } }, error];
}

const leaky = { serviceName: 'banking', stacktrace: ['Error: at db.ts:12'], exception: { query: 'SELECT * FROM secrets' } };

describe('createErrorFormatter', () => {
  it('keeps a documented code and its message, and drops serviceName, stacktrace and exception', () => {
    const format = createErrorFormatter();
    const error = errors.conflict('This transfer was already made.', { field: 'idempotencyKey' });
    const result = format(...apolloShape(error, { ...leaky, path: ['transfer'] }));
    expect(result.message).toBe('This transfer was already made.');
    expect(result.extensions).toEqual({ code: 'CONFLICT', field: 'idempotencyKey' });
  });

  it('keeps only the public extension keys', () => {
    const format = createErrorFormatter();
    const error = new DomainError(ErrorCode.RATE_LIMITED, 'Too many requests.', {
      retryAfter: 30,
      limit: 100,
      reason: 'per-user',
      internalNote: 'user 42 hammering',
      ...leaky,
    });
    expect(format(...apolloShape(error)).extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 30, limit: 100, reason: 'per-user' });
  });

  it('answers a call to another service left without an answer as SERVICE_UNAVAILABLE, reported like a masked error, its details kept inside', () => {
    const masked: unknown[] = [];
    const format = createErrorFormatter({ onMasked: (original) => masked.push(original) });
    const cause = new ServiceCallError('banking did not answer GET /internal/ledger/accounts/9f1c', 502);
    const error = new GraphQLError(cause.message, { originalError: cause, path: ['createPayment'] });
    const result = format(...apolloShape(error, leaky));
    expect(result).toEqual({ message: 'A service this request needs did not answer. Try again shortly.', path: ['createPayment'], extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(masked).toEqual([error]);
    // Any other unexpected error stays masked as INTERNAL_SERVER_ERROR.
    expect(format(...apolloShape(new GraphQLError('boom', { originalError: new Error('boom') }))).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('keeps path and locations of a documented error', () => {
    const format = createErrorFormatter();
    const formatted: GraphQLFormattedError = {
      message: 'Not found.',
      locations: [{ line: 2, column: 3 }],
      path: ['account', 'owner'],
      extensions: { code: 'NOT_FOUND' },
    };
    expect(format(formatted, new Error('x'))).toEqual(formatted);
  });

  it.each([
    ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_PARSE_FAILED'],
    ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED'],
    ['BAD_REQUEST', 'BAD_USER_INPUT'],
    ['OPERATION_RESOLUTION_FAILURE', 'BAD_USER_INPUT'],
    ['PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_FOUND'],
  ])("maps Apollo's %s onto %s", (apolloCode, code) => {
    const format = createErrorFormatter();
    const result = format({ message: 'Cannot query field "x".', extensions: { code: apolloCode, ...leaky } }, undefined);
    expect(result).toEqual({ message: 'Cannot query field "x".', extensions: { code } });
  });

  describe('masking', () => {
    const secret = 'connect ECONNREFUSED 10.0.0.5:5432 password=hunter2';

    it.each([
      ['no code', {}],
      ['an unknown code', { code: 'DOWNSTREAM_SERVICE_ERROR' }],
      ['INTERNAL_SERVER_ERROR itself', { code: 'INTERNAL_SERVER_ERROR' }],
      ['a non-string code', { code: 404 }],
    ])('turns an error with %s into INTERNAL_SERVER_ERROR with a generic message', (_label, extensions) => {
      const onMasked = jest.fn();
      const format = createErrorFormatter({ onMasked });
      const original = new Error(secret);
      const formatted: GraphQLFormattedError = {
        message: secret,
        locations: [{ line: 1, column: 1 }],
        path: ['me'],
        extensions: { ...extensions, ...leaky },
      };
      const result = format(formatted, original);
      expect(result).toEqual({ message: 'Internal server error', path: ['me'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(result)).not.toContain('hunter2');
      expect(JSON.stringify(result)).not.toContain('banking');
      expect(onMasked).toHaveBeenCalledTimes(1);
      expect(onMasked).toHaveBeenCalledWith(original, formatted);
    });

    it('does not call onMasked for documented errors', () => {
      const onMasked = jest.fn();
      createErrorFormatter({ onMasked })(...apolloShape(errors.notFound('No such account.')));
      expect(onMasked).not.toHaveBeenCalled();
    });

    it('shows the original message, still coded INTERNAL_SERVER_ERROR, only when exposeDetails is on', () => {
      const onMasked = jest.fn();
      const result = createErrorFormatter({ exposeDetails: true, onMasked })({ message: secret, extensions: { code: 'BOOM' } }, undefined);
      expect(result.message).toBe(secret);
      expect(result.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(onMasked).toHaveBeenCalledTimes(1);
    });
  });
});

describe('clientCodeOf and isMaskedError', () => {
  const unanswered = new ServiceCallError('banking did not answer GET /internal/ledger/accounts/9f1c', 502);
  const cases: [string, [GraphQLFormattedError, unknown]][] = [
    ['a documented error', apolloShape(errors.conflict('Already made.'))],
    ["Apollo's own code", [{ message: 'Cannot query field "x".', extensions: { code: 'BAD_REQUEST' } }, undefined]],
    ['a validation rule that brings its own code', apolloShape(new GraphQLError('Too deep.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, originalError: errors.badInput('Too deep.') }))],
    ['a call to another service left without an answer', apolloShape(new GraphQLError(unanswered.message, { originalError: unanswered }))],
    ['a bare ServiceCallError', [{ message: unanswered.message }, unanswered]],
    ['a documented SERVICE_UNAVAILABLE', apolloShape(errors.unavailable('Try again.'))],
    ['an unexpected error', apolloShape(new GraphQLError('boom', { originalError: new Error('boom') }))],
    ['INTERNAL_SERVER_ERROR itself', [{ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new Error('x')]],
  ];

  it.each(cases)('give %s the code the client is shown, and say whether it was masked', (_label, [formatted, original]) => {
    const onMasked = jest.fn();
    const shown = createErrorFormatter({ onMasked })(formatted, original);
    expect(clientCodeOf(formatted, original)).toBe(shown.extensions?.code);
    expect(isMaskedError(formatted, original)).toBe(onMasked.mock.calls.length === 1);
  });

  it('answer SERVICE_UNAVAILABLE, masked, for a service that did not answer', () => {
    const [formatted, original] = apolloShape(new GraphQLError(unanswered.message, { originalError: unanswered }));
    expect(clientCodeOf(formatted, original)).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect(isMaskedError(formatted, original)).toBe(true);
    // A service's own SERVICE_UNAVAILABLE is documented: shown as it is, not masked.
    expect(isMaskedError(...apolloShape(errors.unavailable('Try again.')))).toBe(false);
  });
});

describe('the error catalogue', () => {
  it('gives every code an HTTP status', () => {
    for (const code of Object.values(ErrorCode)) expect(httpStatusFor[code]).toBeGreaterThanOrEqual(400);
    expect(httpStatusFor.UNAUTHENTICATED).toBe(401);
    expect(httpStatusFor.INTERNAL_SERVER_ERROR).toBe(500);
  });

  it('puts the code of a DomainError in its extensions, where details cannot override it', () => {
    const error = new DomainError(ErrorCode.FORBIDDEN, 'No.', { code: 'SOMETHING_ELSE', field: 'x' });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', field: 'x' });
  });
});

describe('mapPostgresError', () => {
  const pgError = (code: string, constraint?: string) => Object.assign(new Error('db said no'), { code, constraint });
  // TypeORM's QueryFailedError carries the driver's error as driverError.
  const typeormError = (code: string, constraint?: string) =>
    Object.assign(new Error('query failed'), { driverError: pgError(code, constraint) });

  it('maps a unique violation (23505) to CONFLICT', () => {
    for (const err of [pgError('23505'), typeormError('23505')]) {
      const mapped = mapPostgresError(err);
      expect(mapped).toBeInstanceOf(DomainError);
      expect(mapped?.code).toBe('CONFLICT');
      expect(mapped?.message).not.toContain('db said no');
    }
  });

  it('maps a not-null violation (23502) to BAD_USER_INPUT', () => {
    expect(mapPostgresError(pgError('23502'))?.code).toBe('BAD_USER_INPUT');
    expect(mapPostgresError(typeormError('23502'))?.code).toBe('BAD_USER_INPUT');
  });

  it('maps what is left of a serialization failure, a deadlock and a lock or statement timeout to SERVICE_UNAVAILABLE that says to retry', () => {
    for (const state of ['40001', '40P01', '55P03', '57014']) {
      const mapped = mapPostgresError(typeormError(state));
      expect(mapped?.code).toBe('SERVICE_UNAVAILABLE');
      expect(mapped?.message).toMatch(/try again/i);
    }
  });

  it("gives a subgraph's own meaning of a constraint or a state precedence over the general one", () => {
    const meanings = {
      constraints: { users_email_key: () => new DomainError(ErrorCode.CONFLICT, 'Email taken.', { field: 'email' }) },
      states: { '22003': () => new DomainError(ErrorCode.BAD_USER_INPUT, 'Amount too large.', { field: 'amount' }) },
    };
    expect(mapPostgresError(typeormError('23505', 'users_email_key'), meanings)).toMatchObject({ message: 'Email taken.', extensions: { field: 'email' } });
    expect(mapPostgresError(pgError('23505', 'users_phone_key'), meanings)?.message).toBe('This record already exists.');
    expect(mapPostgresError(pgError('22003'), meanings)?.message).toBe('Amount too large.');
  });

  it('returns undefined for anything else, so it gets masked', () => {
    for (const err of [pgError('XX000'), new Error('plain'), { code: 'ECONNREFUSED' }, null, undefined, 'string', 42]) {
      expect(mapPostgresError(err)).toBeUndefined();
    }
  });

  it('reads the SQLSTATE and the violated constraint from either shape', () => {
    expect(sqlState(typeormError('23505'))).toBe('23505');
    expect(sqlState({ code: 'ECONNRESET' })).toBeUndefined();
    expect(isUniqueViolation(typeormError('23505', 'users_email_key'), 'users_email_key')).toBe(true);
    expect(isUniqueViolation(pgError('23505', 'users_email_key'), 'other_key')).toBe(false);
    expect(isUniqueViolation(pgError('23502'))).toBe(false);
  });
});
