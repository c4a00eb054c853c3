import { randomUUID } from 'node:crypto';
import { startStack, type Stack } from '../helpers/stack';

// The BFFs' per-user response cache on the real stack: the subgraphs' cache hints make a
// customer's accounts cacheable, a write through either BFF is seen by the next read through
// the other, and a change made elsewhere (money received through the ledger) reaches the
// cached answer through the ledger's events.

const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { email } }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken } }`;
const OPEN = `mutation O($input: OpenAccountInput!) { openAccount(input: $input) { id } }`;
const ME_ACCOUNTS = `query { me { id accounts { id balance { posted { amount currency } available { amount } } } } }`;
const MOVE = `mutation M($input: OwnTransferInput!) { transferBetweenOwnAccounts(input: $input) { id status } }`;

let stack: Stack;
beforeAll(async () => {
  // The ledger's outbox relay runs, so its events reach the BFFs as in a deployment.
  stack = await startStack({ LEDGER_WORKERS: 'true' });
});
afterAll(() => stack?.close());

type Call = Awaited<ReturnType<Stack['call']>>;
const balances = (res: Call) =>
  (res.data!.me.accounts as { id: string; balance: { posted: { amount: string } } }[]).map((a) => a.balance.posted.amount);

it('serves a customer’s accounts from the cache, sees a write through the other BFF at once, and money received through the ledger’s events', async () => {
  const email = `cache.${Date.now()}@example.com`;
  const password = 'a long and unusual passphrase';
  expect((await stack.call('mobile', REGISTER, { input: { email, password, displayName: 'Cached saver' } })).errors).toBeUndefined();
  const login = await stack.call('mobile', LOGIN, { input: { email, password, deviceId: 'cache-phone' } });
  const mobile = { accessToken: login.data!.login.accessToken as string };
  const web = { cookie: await stack.webLogin(email, password) };

  const current = (await stack.call('mobile', OPEN, { input: { type: 'CURRENT', currency: 'GBP' } }, mobile)).data!.openAccount.id as string;
  const savings = (await stack.call('mobile', OPEN, { input: { type: 'SAVINGS', currency: 'GBP' } }, mobile)).data!.openAccount.id as string;
  const clearing = await stack.banking.accounts.systemAccount('CLEARING', 'GBP');
  const salary = (amount: bigint) =>
    stack.banking.ledger.createTransfer({
      id: randomUUID(),
      code: 'SALARY',
      postings: [
        { accountId: clearing.id, direction: 'DEBIT', amount, currency: 'GBP' },
        { accountId: current, direction: 'CREDIT', amount, currency: 'GBP' },
      ],
    });
  await salary(1_000_00n);

  // A read is answered from the cache once an earlier one was kept (Apollo's response cache says
  // how old in `age`). The ledger's own events for the salary may end an entry in between, so
  // read until a cached answer comes.
  const cachedRead = async (auth: { accessToken?: string; cookie?: string }, bff: 'mobile' | 'web' = 'mobile') => {
    const deadline = Date.now() + 15_000;
    let res = await stack.call(bff, ME_ACCOUNTS, {}, auth);
    while (res.headers.age === undefined && Date.now() < deadline) res = await stack.call(bff, ME_ACCOUNTS, {}, auth);
    return res;
  };
  const first = await stack.call('mobile', ME_ACCOUNTS, {}, mobile);
  expect(first.errors).toBeUndefined();
  expect(balances(first)).toEqual(['1000.00', '0.00']);
  expect(first.headers.age).toBeUndefined();
  const cached = await cachedRead(mobile);
  expect(cached.headers.age).toBeDefined();
  expect(cached.data).toEqual(first.data);
  expect(cached.headers['cache-control']).toBe('no-store');

  // A transfer through the web BFF; the mobile app's next read sees it, and so does the web's own.
  expect((await cachedRead(web, 'web')).headers.age).toBeDefined();
  const moved = await stack.call('web', MOVE, { input: { transferId: randomUUID(), fromAccountId: current, toAccountId: savings, amount: '250.00' } }, web);
  expect(moved.data!.transferBetweenOwnAccounts.status).toBe('POSTED');
  const afterWrite = await stack.call('mobile', ME_ACCOUNTS, {}, mobile);
  expect(balances(afterWrite)).toEqual(['750.00', '250.00']);
  expect(balances(await stack.call('web', ME_ACCOUNTS, {}, web))).toEqual(['750.00', '250.00']);

  // Money arriving without any request of the customer's: the ledger's event ends the cached answer.
  expect((await cachedRead(mobile)).headers.age).toBeDefined();
  await salary(40_00n);
  const deadline = Date.now() + 15_000;
  let seen = balances(await stack.call('mobile', ME_ACCOUNTS, {}, mobile));
  while (seen[0] !== '790.00' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = balances(await stack.call('mobile', ME_ACCOUNTS, {}, mobile));
  }
  expect(seen).toEqual(['790.00', '250.00']);

  // Another customer never gets these answers.
  const other = `cache.other.${Date.now()}@example.com`;
  await stack.call('mobile', REGISTER, { input: { email: other, password, displayName: 'Other' } });
  const otherLogin = await stack.call('mobile', LOGIN, { input: { email: other, password, deviceId: 'other-phone' } });
  const theirs = await stack.call('mobile', ME_ACCOUNTS, {}, { accessToken: otherLogin.data!.login.accessToken as string });
  expect(theirs.data!.me.accounts).toEqual([]);
});
