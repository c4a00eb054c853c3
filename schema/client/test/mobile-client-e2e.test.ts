import { randomUUID } from 'node:crypto';
import { startStack, type Stack } from '../../../test/helpers/stack';
import { createMeridianClient, documentIdOf, MeridianError, newIdempotencyKey, type MeridianClient } from '../src';
import {
  AccountsDocument,
  LoginDocument,
  MeDocument,
  OpenAccountDocument,
  RefreshSessionDocument,
  RegisterDocument,
  RevokeSessionDocument,
  SessionsDocument,
  TransferBetweenOwnAccountsDocument,
} from '../src/mobile';

// The typed client against a real, listening mobile BFF that runs trusted
// documents only, with identity and banking behind it. Each step signs in or
// hashes passwords (Argon2id), so the steps get more than the default 30 s.
jest.setTimeout(90_000);

let stack: Stack;
let url: string;
/** Every body the client sent. */
const sent: Record<string, unknown>[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  sent.push(JSON.parse(String(init?.body)));
  return fetch(input, init);
};

beforeAll(async () => {
  stack = await startStack({ MOBILE_TRUSTED_DOCUMENTS: 'required' });
  await stack.mobile.app.listen({ port: 0, host: '127.0.0.1' });
  const address = stack.mobile.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
});
afterAll(() => stack?.close());

async function failure(request: Promise<unknown>): Promise<MeridianError> {
  const error = await request.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof MeridianError)) throw new Error(`expected a MeridianError, got ${String(error)}`);
  return error;
}

describe('@meridian/client against the mobile BFF (trusted documents required)', () => {
  const email = `client.${Date.now()}@example.com`;
  const password = 'a long and unusual passphrase';
  const deviceId = `device-${randomUUID()}`;
  let accessToken: string | undefined;
  let client: MeridianClient;

  beforeAll(() => {
    client = createMeridianClient({ url, client: 'mobile', fetch: recordingFetch, getAccessToken: () => accessToken, deviceId });
  });

  it('registers, signs in and reads me and accounts by documentId only', async () => {
    const { register } = await client.request(RegisterDocument, { input: { email, password, displayName: 'Client User' } });
    expect(register).toEqual({ email, verificationSent: true });

    const { login } = await client.request(LoginDocument, { input: { email, password, deviceId } });
    accessToken = login.accessToken;

    const { me } = await client.request(MeDocument);
    expect(me).toMatchObject({ id: login.user.id, email, emailVerified: false, roles: ['CUSTOMER'], status: 'ACTIVE' });

    const accounts = await client.request(AccountsDocument);
    expect(accounts.me?.accounts).toEqual([]);

    // The session is bound to the device that signed in: refreshing sends the same device id.
    const { refreshSession } = await client.request(RefreshSessionDocument, { refreshToken: login.refreshToken, deviceId });
    accessToken = refreshSession.accessToken;
    expect((await client.request(MeDocument)).me?.id).toBe(login.user.id);

    expect(sent.length).toBeGreaterThanOrEqual(4);
    for (const body of sent) {
      expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['documentId']));
      expect(body.query).toBeUndefined();
      expect(body.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('lists the devices by documentId and signs out another phone, whose refresh token then fails', async () => {
    const otherDevice = `device-${randomUUID()}`;
    const other = createMeridianClient({ url, client: 'mobile', fetch: recordingFetch, deviceId: otherDevice });
    const { login: otherLogin } = await other.request(LoginDocument, { input: { email, password, deviceId: otherDevice } });

    const { me } = await client.request(SessionsDocument);
    const sessions = me?.sessions ?? [];
    expect(sessions.map((s) => s.deviceId).sort()).toEqual([deviceId, otherDevice].sort());
    expect(sessions.find((s) => s.current)?.deviceId).toBe(deviceId);
    const phone = sessions.find((s) => s.deviceId === otherDevice)!;

    expect((await client.request(RevokeSessionDocument, { id: phone.id })).revokeSession).toBe(true);
    const refused = await failure(other.request(RefreshSessionDocument, { refreshToken: otherLogin.refreshToken, deviceId: otherDevice }));
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect((await client.request(SessionsDocument)).me?.sessions.map((s) => s.deviceId)).toEqual([deviceId]);
  });

  it('moves money once per idempotency key and reports a shortfall as INSUFFICIENT_FUNDS', async () => {
    const open = (type: 'CURRENT' | 'SAVINGS') => client.request(OpenAccountDocument, { input: { type, currency: 'GBP' } });
    const current = (await open('CURRENT')).openAccount;
    const savings = (await open('SAVINGS')).openAccount;
    const clearing = await stack.banking.accounts.systemAccount('CLEARING', 'GBP');
    await stack.banking.ledger.createTransfer({
      id: randomUUID(),
      code: 'SALARY',
      postings: [
        { accountId: clearing.id, direction: 'DEBIT', amount: 100_00n, currency: 'GBP' },
        { accountId: current.id, direction: 'CREDIT', amount: 100_00n, currency: 'GBP' },
      ],
    });

    const input = { transferId: newIdempotencyKey(), fromAccountId: current.id, toAccountId: savings.id, amount: '30.00' };
    const first = await client.request(TransferBetweenOwnAccountsDocument, { input });
    expect(first.transferBetweenOwnAccounts).toMatchObject({ id: input.transferId, status: 'POSTED', amount: { amount: '30.00', currency: 'GBP' } });
    // A retry with the same key (a lost answer, a double tap) moves nothing more.
    const retry = await client.request(TransferBetweenOwnAccountsDocument, { input });
    expect(retry.transferBetweenOwnAccounts.id).toBe(input.transferId);

    const { me } = await client.request(AccountsDocument);
    const balances = Object.fromEntries(me!.accounts.map((a) => [a.type, a.balance.posted.amount]));
    expect(balances).toEqual({ CURRENT: '70.00', SAVINGS: '30.00' });

    const shortfall = await failure(
      client.request(TransferBetweenOwnAccountsDocument, {
        input: { transferId: newIdempotencyKey(), fromAccountId: current.id, toAccountId: savings.id, amount: '500.00' },
      }),
    );
    expect(shortfall.code).toBe('INSUFFICIENT_FUNDS');
  });

  it('surfaces UNAUTHENTICATED without a token, and RATE_LIMITED with retryAfter', async () => {
    const anonymous = createMeridianClient({ url, client: 'mobile' });
    expect((await failure(anonymous.request(MeDocument))).code).toBe('UNAUTHENTICATED');

    let limited: MeridianError | undefined;
    for (let attempt = 0; attempt < 10 && !limited; attempt++) {
      const error = await failure(anonymous.request(LoginDocument, { input: { email, password: 'not the password at all', deviceId } }));
      if (error.code === 'RATE_LIMITED') limited = error;
      else expect(error.code).toBe('UNAUTHENTICATED');
    }
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(limited!.retryAfter).toBeGreaterThan(0);
  });

  it('refuses free text, and runs queries but not mutations by documentId over GET', async () => {
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await post({ query: '{ me { id } }' });
    expect(text.status).toBe(400);
    expect((await text.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    const unknown = await post({ documentId: `sha256:${'f'.repeat(64)}` });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const get = (document: Parameters<typeof documentIdOf>[0]) =>
      fetch(`${url}?documentId=${encodeURIComponent(documentIdOf(document))}`, {
        headers: { authorization: `Bearer ${accessToken}`, 'apollo-require-preflight': 'true' },
      });
    const me = await get(MeDocument);
    expect(me.status).toBe(200);
    expect((await me.json()).data.me.email).toBe(email);
    const login = await get(LoginDocument);
    expect(login.status).toBe(405);
    expect((await login.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
