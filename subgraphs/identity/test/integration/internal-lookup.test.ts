import { SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// Payments finds the customer a payment is addressed to by email or phone through
// identity's internal API: its callers only, the id and display name only.

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
  await h.server.accounts.register(
    { email: 'Ana.Lopez@Example.com', password: 'a long and unusual passphrase 7', displayName: 'Ana López', phone: '+44 7700 900456' },
    { ip: '127.0.0.1', userAgent: 'test', requestId: 'seed' },
  );
});
afterAll(() => h.close());

async function lookup(body: unknown, caller: string | null = 'payments') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (caller) headers[SERVICE_TOKEN_HEADER] = await h.serviceKeys.issuerFor(caller)('identity');
  const res = await h.server.app.inject({ method: 'POST', url: '/internal/identity/users/lookup', headers, payload: JSON.stringify(body) });
  return { status: res.statusCode, body: res.json() };
}

describe('customer lookup for payments', () => {
  it('finds a customer by email in any case and by phone written with spaces, answering the id and display name only', async () => {
    const byEmail = await lookup({ email: ' ana.lopez@EXAMPLE.com ' });
    expect(byEmail.status).toBe(200);
    expect(Object.keys(byEmail.body).sort()).toEqual(['displayName', 'id']);
    expect(byEmail.body.displayName).toBe('Ana López');
    expect(await lookup({ phone: '+447700900456' })).toEqual(byEmail);
  });

  it('answers NOT_FOUND for nobody, BAD_USER_INPUT for malformed or doubled queries', async () => {
    expect(await lookup({ email: 'nobody@example.com' })).toMatchObject({ status: 404, body: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
    expect(await lookup({ phone: '07700 900456' })).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'phone' } }] } });
    expect(await lookup({ email: 'not an email' })).toMatchObject({ status: 400 });
    expect(await lookup({ email: 'ana.lopez@example.com', phone: '+447700900456' })).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] } });
    expect(await lookup({})).toMatchObject({ status: 400 });
  });

  it('refuses callers other than payments and calls without a token', async () => {
    expect((await lookup({ email: 'ana.lopez@example.com' }, null)).status).toBe(401);
    for (const caller of ['gateway', 'bff-mobile', 'bff-web']) expect((await lookup({ email: 'ana.lopez@example.com' }, caller)).status).toBe(403);
  });
});
