import { randomUUID } from 'node:crypto';
import {
  createServiceTokenIssuer,
  loadBaseConfig,
  loadServiceSigningKeys,
  SERVICE_TOKEN_HEADER,
  type MeridianServer,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { createGatewayServer, loadGatewayConfig } from '@meridian/supergraph';
import { startStack, type Stack } from '../helpers/stack';

// The subgraphs' cache hints, combined by the gateway: each subgraph answers its
// fetch with `Cache-Control`, the gateway's data source restricts the request's
// overall policy by each, and the gateway answers with the result. The app's
// dashboard (identity's `me`, banking's accounts, balances and transactions) comes
// out cacheable, privately, for the least of their ages; a piece that may not be
// cached, or a staff read, makes the whole answer uncacheable.

const password = 'a long and unusual passphrase';
const origin = { ip: '203.0.113.80', userAgent: 'jest', requestId: 'cache-hints' };
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken } }`;
const SEND = `mutation E($t: String!) { sendSignInCode(mfaToken: $t, channel: EMAIL) { channel } }`;
const COMPLETE = `mutation S($t: String!, $c: String!, $d: String) { completeSignIn(mfaToken: $t, method: EMAIL, code: $c, deviceId: $d) { accessToken } }`;
const ACCOUNTS = `
  accounts {
    id name currency
    balance { available { amount currency } }
    transactions(first: 20) { edges { cursor node { id direction amount { amount currency } description status createdAt } } pageInfo { hasNextPage endCursor } }
  }`;
const DASHBOARD = `query Dashboard { me { id displayName ${ACCOUNTS} } }`;

let stack: Stack;
let gateway: MeridianServer;
let bffToken: ServiceTokenIssuer;
let n = 0;

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
  stack = await startStack();
  const url = (server: MeridianServer) => `http://127.0.0.1:${portOf(server)}/graphql`;
  gateway = await createGatewayServer(loadGatewayConfig({ ...process.env }), {
    subgraphUrls: { identity: url(stack.identity), banking: url(stack.banking), kyc: url(stack.kyc), payments: url(stack.payments) },
  });
  // The gateway is called as a BFF calls it, with the BFF's (development) service key.
  bffToken = createServiceTokenIssuer({ service: 'bff-mobile', keys: await loadServiceSigningKeys(loadBaseConfig(), 'bff-mobile') });
});
afterAll(async () => {
  await gateway?.close();
  await stack?.close();
});

/** Someone with these roles, signed in through the mobile BFF (with the emailed second factor staff need). */
async function person(roles: ('CUSTOMER' | 'SUPPORT')[] = ['CUSTOMER']) {
  n += 1;
  const email = `cache${n}.${Date.now()}@example.com`;
  const user = await stack.identity.accounts.register({ email, password, displayName: `Person ${n}` }, origin, roles);
  const remoteAddress = `10.89.0.${n}`;
  const deviceId = `cache-device-${n}`;
  const res = await stack.call('mobile', LOGIN, { input: { email, password, deviceId } }, { remoteAddress });
  let token = res.data?.login?.accessToken as string | undefined;
  if (res.errors?.[0].extensions?.code === 'MFA_REQUIRED') {
    const mfaToken = res.errors[0].extensions.mfaToken as string;
    expect((await stack.call('mobile', SEND, { t: mfaToken }, { remoteAddress })).errors).toBeUndefined();
    const code = (await stack.latestMail(email, 'identity.sign_in_code'))!.data!.code;
    token = (await stack.call('mobile', COMPLETE, { t: mfaToken, c: code, d: deviceId }, { remoteAddress })).data!.completeSignIn.accessToken;
  }
  if (!token) throw new Error(`sign-in failed: ${JSON.stringify(res.errors)}`);
  return { id: user.id, token };
}

/** A customer's current account with money in it and one card payment out. */
async function fundedCustomer() {
  const customer = await person();
  const account = await stack.banking.accounts.openAccount({ ownerId: customer.id, type: 'CURRENT', currency: 'GBP' });
  const clearing = await stack.banking.accounts.systemAccount('CLEARING', 'GBP');
  const move = (from: string, to: string, amount: bigint, description: string) =>
    stack.banking.ledger.createTransfer({
      id: randomUUID(),
      code: 'CARD_PAYMENT',
      description,
      postings: [
        { accountId: from, direction: 'DEBIT', amount, currency: 'GBP' },
        { accountId: to, direction: 'CREDIT', amount, currency: 'GBP' },
      ],
    });
  await move(clearing.id, account.id, 500_00n, 'Salary');
  await move(account.id, clearing.id, 4_50n, 'PRET A MANGER 1234 LONDON GB');
  return customer;
}

/** POSTs to the gateway as the mobile BFF does; answers the body and the overall policy as the gateway sent it. */
async function throughGateway(query: string, variables: Record<string, unknown>, token: string) {
  const res = await gateway.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await bffToken('gateway'), authorization: `Bearer ${token}` },
    payload: { query, variables },
  });
  const body = JSON.parse(res.body) as { data?: Record<string, any>; errors?: unknown[] };
  return { cacheControl: res.headers['cache-control'], data: body.data, errors: body.errors };
}

describe('cache hints through the gateway', () => {
  it('lets the app’s dashboard (me, accounts, balances, 20 transactions) be cached privately for the least of its subgraphs’ ages', async () => {
    const customer = await fundedCustomer();
    const res = await throughGateway(DASHBOARD, {}, customer.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me.accounts).toHaveLength(1);
    expect(res.data!.me.accounts[0].transactions.edges).toHaveLength(2);
    // identity answered max-age=60, banking max-age=30: the whole answer may be kept 30 s, for this user only.
    expect(res.cacheControl).toBe('max-age=30, private');

    // KYC's verification (30 s) and payments' limits (30 s) keep it cacheable.
    const more = await throughGateway(`{ me { id ${ACCOUNTS} kyc { tier status } paymentLimits { nextPaymentMax { amount } } } }`, {}, customer.token);
    expect(more.errors).toBeUndefined();
    expect(more.cacheControl).toBe('max-age=30, private');
  });

  it('makes the whole answer uncacheable when one piece may not be cached (sessions)', async () => {
    const customer = await fundedCustomer();
    const res = await throughGateway(`{ me { id sessions { id current } ${ACCOUNTS} } }`, {}, customer.token);
    expect(res.errors).toBeUndefined();
    expect(res.cacheControl).toBe('no-store');
  });

  it('never lets a staff read of a customer be cached, though banking serves the same accounts', async () => {
    const customer = await fundedCustomer();
    const support = await person(['SUPPORT']);
    const res = await throughGateway(`query($id: ID!) { customer(id: $id, reason: "ticket 7") { id ${ACCOUNTS} } }`, { id: customer.id }, support.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.accounts).toHaveLength(1);
    expect(res.cacheControl).toBe('no-store');
  });
});
