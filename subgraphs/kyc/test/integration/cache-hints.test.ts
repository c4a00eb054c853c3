import { SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { START, startKyc, type KycHarness, type TestUser } from '../helpers/kyc-harness';

// KYC's answers carry the cache policy of its `@cacheControl` hints, which the
// gateway combines across subgraphs: the customer's own verification for 30 s,
// only for them; the review queue, any staff read and mutations never.

let h: KycHarness;
beforeAll(async () => {
  h = await startKyc();
});
afterAll(() => h.close());

/** Calls KYC as the gateway does and answers the body with the response's Cache-Control. */
async function answer(query: string, variables: Record<string, unknown>, user: TestUser) {
  const res = await h.server.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await h.serviceKeys.issuerFor('gateway')('kyc'), authorization: `Bearer ${user.token}` },
    payload: { query, variables },
  });
  const body = JSON.parse(res.body) as { data?: Record<string, any>; errors?: unknown[] };
  return { cacheControl: res.headers['cache-control'], data: body.data, errors: body.errors };
}

const CASE_PARTS = `id targetTier state customerMessage createdAt documents { id kind } history { from to actorType at }`;

describe('cache hints in KYC', () => {
  let alice: TestUser;
  let caseId: string;
  beforeAll(async () => {
    alice = await h.user();
    const started = await answer(START, { tier: 'TIER_1' }, alice);
    expect(started.errors).toBeUndefined();
    // Opening a case is a mutation: never cacheable.
    expect(started.cacheControl).toBe('no-store');
    caseId = started.data!.startVerification.id;
  });

  it('lets the customer’s own verification be cached for 30 s, privately', async () => {
    const overview = await answer(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { kyc {
        tier status nextSteps limits { tier singlePayment daily monthly currency }
        profile { legalName { value status } address { city status } phone { value } }
        currentCase { ${CASE_PARTS} }
      } } } }`,
      { r: [{ __typename: 'User', id: alice.id }] },
      alice,
    );
    expect(overview.errors).toBeUndefined();
    expect(overview.data!._entities[0].kyc.currentCase.id).toBe(caseId);
    expect(overview.cacheControl).toBe('max-age=30, private');

    const own = await answer(`query($id: ID!) { kycCase(id: $id) { ${CASE_PARTS} } }`, { id: caseId }, alice);
    expect(own.errors).toBeUndefined();
    expect(own.cacheControl).toBe('max-age=30, private');
  });

  it('never lets the review queue or any staff read of a case be cached', async () => {
    const officer = await h.user(['COMPLIANCE']);
    const queue = await answer(`{ kycReviewQueue(first: 10, reason: "Checking the queue") { edges { node { id state } } pageInfo { hasNextPage } } }`, {}, officer);
    expect(queue.errors).toBeUndefined();
    expect(queue.cacheControl).toBe('no-store');
    // The same field a customer reads, read by staff (and audited).
    const read = await answer(`query($id: ID!) { kycCase(id: $id, reason: "Checking the case") { ${CASE_PARTS} reviewReasons } }`, { id: caseId }, officer);
    expect(read.errors).toBeUndefined();
    expect(read.cacheControl).toBe('no-store');
  });
});
