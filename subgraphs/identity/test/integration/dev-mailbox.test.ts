import { newUser, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// In development identity serves what it sent at /dev/mailbox, without a service token, as KYC does;
// in any other environment the route does not exist.

describe('identity’s development mailbox', () => {
  let dev: IdentityHarness;
  beforeAll(async () => {
    dev = await startIdentity({ NODE_ENV: 'development' });
  });
  afterAll(() => dev.close());

  it('shows the verification email sent at registration, to anyone, in development', async () => {
    const user = newUser();
    expect((await dev.gql(REGISTER, { input: user })).errors).toBeUndefined();
    await dev.server.mail.settled();
    const res = await dev.server.app.inject({ method: 'GET', url: `/dev/mailbox?to=${encodeURIComponent(user.email)}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().messages).toEqual([expect.objectContaining({ channel: 'EMAIL', template: 'identity.email_verification' })]);
  });
});

describe('outside development', () => {
  let test: IdentityHarness;
  beforeAll(async () => {
    test = await startIdentity({ NODE_ENV: 'test' });
  });
  afterAll(() => test.close());

  it('has no mailbox route', async () => {
    const res = await test.server.app.inject({ method: 'GET', url: '/dev/mailbox?to=someone@example.com' });
    expect(res.statusCode).not.toBe(200);
  });
});
