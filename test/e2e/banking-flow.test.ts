import { randomUUID } from 'node:crypto';
import { startStack, type Stack } from '../helpers/stack';

const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { email } }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken } }`;
const OPEN = `mutation O($input: OpenAccountInput!) { openAccount(input: $input) { id number type currency name status balance { posted { amount currency } } } }`;
const ME_ACCOUNTS = `query { me { id displayName accounts { id type balance { posted { amount currency } available { amount } } owner { id email } } } }`;
const MOVE = `mutation M($input: OwnTransferInput!) { transferBetweenOwnAccounts(input: $input) { id status amount { amount currency } } }`;
const HISTORY = `query H($id: ID!) { account(id: $id) { transactions(first: 5) { edges { node { direction amount { amount } balanceAfter { amount } code } } pageInfo { hasNextPage } } } }`;

let stack: Stack;

/** Signs in as each app does: the web with its session cookie, the mobile app with a bearer token. */
async function signIn(bff: 'web' | 'mobile', email: string, password: string): Promise<{ accessToken?: string; cookie?: string }> {
  if (bff === 'web') return { cookie: await stack.webLogin(email, password) };
  const login = await stack.call(bff, LOGIN, { input: { email, password, deviceId: 'test-phone' } });
  return { accessToken: login.data!.login.accessToken as string };
}
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe.each(['web', 'mobile'] as const)('banking through the %s BFF', (bff) => {
  it('login (identity) → openAccount → me { accounts { balance } } across the supergraph → own transfer → history', async () => {
    const email = `${bff}.banking.${Date.now()}@example.com`;
    const password = 'a long and unusual passphrase';
    const registered = await stack.call(bff, REGISTER, { input: { email, password, displayName: `${bff} saver` } });
    expect(registered.errors).toBeUndefined();
    const userId = await stack.userIdOf(email);
    const auth = await signIn(bff, email, password);

    const current = await stack.call(bff, OPEN, { input: { type: 'CURRENT', currency: 'GBP' } }, auth);
    expect(current.errors).toBeUndefined();
    expect(current.data!.openAccount).toMatchObject({ type: 'CURRENT', currency: 'GBP', status: 'ACTIVE', balance: { posted: { amount: '0.00', currency: 'GBP' } } });
    const savings = await stack.call(bff, OPEN, { input: { type: 'SAVINGS', currency: 'GBP', name: 'Rainy day' } }, auth);
    const currentId = current.data!.openAccount.id as string;
    const savingsId = savings.data!.openAccount.id as string;

    // Salary arrives through the ledger (as payments would send it).
    await stack.deposit(currentId, 2_500_00n);

    // `me` comes from identity, `accounts` from banking, `owner.email` from identity again.
    const me = await stack.call(bff, ME_ACCOUNTS, {}, auth);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({
      id: userId,
      displayName: `${bff} saver`,
      accounts: [
        { id: currentId, type: 'CURRENT', balance: { posted: { amount: '2500.00', currency: 'GBP' }, available: { amount: '2500.00' } }, owner: { id: userId, email } },
        { id: savingsId, type: 'SAVINGS', balance: { posted: { amount: '0.00', currency: 'GBP' }, available: { amount: '0.00' } }, owner: { id: userId, email } },
      ],
    });

    const transferId = randomUUID();
    const moved = await stack.call(bff, MOVE, { input: { transferId, fromAccountId: currentId, toAccountId: savingsId, amount: '400.00' } }, auth);
    expect(moved.errors).toBeUndefined();
    expect(moved.data!.transferBetweenOwnAccounts).toEqual({ id: transferId, status: 'POSTED', amount: { amount: '400.00', currency: 'GBP' } });

    const history = await stack.call(bff, HISTORY, { id: currentId }, auth);
    expect(history.errors).toBeUndefined();
    expect(history.data!.account.transactions.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { direction: 'DEBIT', amount: { amount: '400.00' }, balanceAfter: { amount: '2100.00' }, code: 'TRANSFER' },
      { direction: 'CREDIT', amount: { amount: '2500.00' }, balanceAfter: { amount: '2500.00' }, code: 'SALARY' },
    ]);
    // Priced for the 5 asked for, charged for the 2 that came back.
    const { cost } = (history as unknown as { extensions: { cost: { requestedQueryCost: number; actualQueryCost: number } } }).extensions;
    expect(cost.actualQueryCost).toBeGreaterThan(0);
    expect(cost.actualQueryCost).toBeLessThan(cost.requestedQueryCost);

    // Another customer learns nothing about these accounts.
    const other = `${bff}.other.${Date.now()}@example.com`;
    await stack.call(bff, REGISTER, { input: { email: other, password, displayName: 'Other' } });
    const otherAuth = await signIn(bff, other, password);
    const peek = await stack.call(bff, HISTORY, { id: currentId }, otherAuth);
    expect(peek.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await stack.call(bff, ME_ACCOUNTS, {}, otherAuth)).data!.me.accounts).toEqual([]);
  });

  it('refuses banking operations without a sign-in', async () => {
    const res = await stack.call(bff, OPEN, { input: { type: 'CURRENT', currency: 'EUR' } });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
