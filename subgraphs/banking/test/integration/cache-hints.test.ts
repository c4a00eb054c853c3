import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { OPEN_ACCOUNT, startBanking, type BankingHarness, type TestUser } from '../helpers/api-harness';

// Banking's answers carry the cache policy of its `@cacheControl` hints, which the
// gateway combines across subgraphs: accounts, balances and transaction history for
// 30 s, only for their owner; staff reads and mutations never.

let h: BankingHarness;
beforeAll(async () => {
  h = await startBanking();
});
afterAll(() => h.close());

/** Calls banking as the gateway does and answers the body with the response's Cache-Control. */
async function answer(query: string, variables: Record<string, unknown>, user: TestUser) {
  const res = await h.server.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await h.serviceTokenAs('gateway')('banking'), authorization: `Bearer ${user.token}` },
    payload: { query, variables },
  });
  const body = JSON.parse(res.body) as { data?: Record<string, any>; errors?: unknown[] };
  return { cacheControl: res.headers['cache-control'], data: body.data, errors: body.errors };
}

const userRef = (id: string) => [{ __typename: 'User', id }];
const ACCOUNT_PARTS = `
  id name balance { posted { amount currency } available { amount currency } }
  transactions(first: 20) { edges { cursor node { id direction amount { amount currency } balanceAfter { amount } status description createdAt } } pageInfo { hasNextPage endCursor } }
`;

describe('cache hints in banking', () => {
  let owner: TestUser;
  let accountId: string;
  beforeAll(async () => {
    owner = await h.user();
    accountId = (await h.account(owner.id, 'EUR', 12_500n)).id;
  });

  it('lets an owner’s account, balances and transactions be cached for 30 s, privately', async () => {
    const res = await answer(`query($id: ID!) { account(id: $id) { ${ACCOUNT_PARTS} balanceAt(time: "2026-01-01T00:00:00Z") { amount } } }`, { id: accountId }, owner);
    expect(res.errors).toBeUndefined();
    expect(res.data!.account.transactions.edges).toHaveLength(1);
    expect(res.cacheControl).toBe('max-age=30, private');
  });

  it('lets the accounts the gateway asks for on the signed-in user (`me { accounts }`) be cached for 30 s, privately', async () => {
    const res = await answer(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { accounts { ${ACCOUNT_PARTS} owner { id } } } } }`, { r: userRef(owner.id) }, owner);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0].accounts).toHaveLength(1);
    expect(res.cacheControl).toBe('max-age=30, private');
  });

  it('never lets a staff read be cached, though staff read the same fields (each read is audited)', async () => {
    const support = await h.user(['SUPPORT']);
    const res = await answer(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { accounts { id balance { available { amount } } } } } }`, { r: userRef(owner.id) }, support);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0].accounts).toHaveLength(1);
    expect(res.cacheControl).toBe('no-store');
  });

  it('never lets a mutation’s answer be cached, nor an answer with an error', async () => {
    const opened = await answer(OPEN_ACCOUNT, { input: { type: 'SAVINGS', currency: 'EUR' } }, owner);
    expect(opened.errors).toBeUndefined();
    expect(opened.cacheControl).toBe('no-store');
    const missing = await answer(`query($id: ID!) { account(id: $id) { id } }`, { id: randomUUID() }, owner);
    expect(missing.errors).toHaveLength(1);
    expect(missing.cacheControl).toBe('no-store');
  });
});
