import { MeridianError, parseJsonOrUndefined, refusalOf, retryAfterSeconds } from '../src';

// Refusals from the BFFs' own routes (sign-in, uploads, downloads) read the same way as GraphQL's.

describe('refusalOf', () => {
  const limited = { errors: [{ message: 'Slow down.', extensions: { code: 'RATE_LIMITED', retryAfter: 12 } }] };

  it('takes the code, message and wait from the first error', () => {
    const error = refusalOf({ path: '/uploads', status: 429, body: limited, retryAfterHeader: '99', requestId: 'req-1' });
    expect(error).toBeInstanceOf(MeridianError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: 'Slow down.', status: 429, retryAfter: 12, requestId: 'req-1' });
    expect(error.errors).toEqual(limited.errors);
  });

  it('falls back to the Retry-After header, in seconds or as a date', () => {
    const body = { errors: [{ message: 'Busy.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] };
    expect(refusalOf({ path: '/auth/login', status: 503, body, retryAfterHeader: '30' }).retryAfter).toBe(30);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(refusalOf({ path: '/auth/login', status: 503, body, retryAfterHeader: inAMinute }).retryAfter).toBeGreaterThanOrEqual(58);
    expect(refusalOf({ path: '/auth/login', status: 503, body }).retryAfter).toBeUndefined();
  });

  it('reads an unknown code as INTERNAL_SERVER_ERROR and a body outside the error shape as BAD_RESPONSE', () => {
    expect(refusalOf({ path: '/x', status: 500, body: { errors: [{ message: 'x', extensions: { code: 'NOPE' } }] } }).code).toBe('INTERNAL_SERVER_ERROR');
    for (const body of [undefined, null, 'text', {}, { errors: [] }, { errors: 'x' }]) {
      const error = refusalOf({ path: '/exports/transactions.csv', status: 502, body, requestId: 'req-2' });
      expect(error).toMatchObject({ code: 'BAD_RESPONSE', status: 502, requestId: 'req-2' });
      expect(error.message).toContain('/exports/transactions.csv');
    }
  });
});

describe('retryAfterSeconds and parseJsonOrUndefined', () => {
  it('read what they can and nothing else', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds(new Date(Date.now() - 5_000).toUTCString())).toBe(0);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(parseJsonOrUndefined('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonOrUndefined('<html>')).toBeUndefined();
  });
});
