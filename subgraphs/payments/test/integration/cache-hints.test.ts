import { SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// Payments' answers carry the cache policy of its `@cacheControl` hints, which the
// gateway combines across subgraphs: payments, schedules, payees, billers, cards and
// limits for 30 s, only for the customer; the review queue, any staff read and
// mutations never.

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
}, 120_000);
afterAll(() => h.close());

/** Calls payments as the gateway does and answers the body with the response's Cache-Control. */
async function answer(query: string, variables: Record<string, unknown>, as: Customer) {
  const res = await h.payments.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await h.serviceKeys.issuerFor('gateway')('payments'), authorization: `Bearer ${as.token}` },
    payload: { query, variables },
  });
  const body = JSON.parse(res.body) as { data?: Record<string, any>; errors?: unknown[] };
  return { cacheControl: res.headers['cache-control'], data: body.data, errors: body.errors };
}

const PAYMENT = `id kind status amount { amount currency } refundedAmount { amount } account { id } counterparty { name } received description
  reviewReasons transfer { id } history { from to actor at } refunds { id amount { amount } status } createdAt`;

describe('cache hints in payments', () => {
  let payer: Customer;
  let payee: Customer;
  let paymentId: string;
  beforeAll(async () => {
    payer = await h.customer();
    payee = await h.customer();
    const from = await h.account(payer, 'GBP', 100_00n);
    await h.account(payee, 'GBP');
    const created = await answer(
      `mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { ${PAYMENT} } }`,
      { input: { kind: 'P2P', currency: 'GBP', accountId: from, amount: '12.00', recipient: { email: payee.email }, confirm: true } },
      payer,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createPayment.status).toBe('SUCCEEDED');
    // Paying is a mutation: never cacheable.
    expect(created.cacheControl).toBe('no-store');
    paymentId = created.data!.createPayment.id;
  });

  it('lets the customer’s payments, sent or received, be cached for 30 s, privately', async () => {
    const list = `{ payments(first: 20) { edges { cursor node { ${PAYMENT} } } pageInfo { hasNextPage endCursor } } }`;
    for (const as of [payer, payee]) {
      const res = await answer(list, {}, as);
      expect(res.errors).toBeUndefined();
      expect(res.data!.payments.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([paymentId]);
      expect(res.cacheControl).toBe('max-age=30, private');
    }
    const one = await answer(`query ($id: ID!) { payment(id: $id) { ${PAYMENT} } }`, { id: paymentId }, payer);
    expect(one.errors).toBeUndefined();
    expect(one.cacheControl).toBe('max-age=30, private');
  });

  it('lets the customer’s limits, schedules, payees, billers and cards be cached for 30 s, privately', async () => {
    const res = await answer(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User {
        paymentLimits(currency: GBP) { currency tier perPayment { amount } usedToday { amount } remainingThisMonth { amount } nextPaymentMax { amount } }
        scheduledPayments { id status amount { amount } counterparty { name } lastPayment { id } }
        payees { id name maskedAccount } billers { id name } cards { id brand last4 }
      } } }`,
      { r: [{ __typename: 'User', id: payer.id }] },
      payer,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0].paymentLimits.usedToday.amount).toBe('12.00');
    expect(res.cacheControl).toBe('max-age=30, private');
  });

  it('never lets the review queue or a reviewer’s read of a payment be cached', async () => {
    const officer = await h.customer({ roles: ['COMPLIANCE'] });
    const queue = await answer(`{ paymentReviewQueue(first: 10, reason: "Checking held payments") { edges { node { id status } } pageInfo { hasNextPage } } }`, {}, officer);
    expect(queue.errors).toBeUndefined();
    expect(queue.cacheControl).toBe('no-store');
    // The same field a customer reads, read by a reviewer (and audited).
    const read = await answer(`query ($id: ID!) { payment(id: $id, reason: "Checking a payment") { id status amount { amount } } }`, { id: paymentId }, officer);
    expect(read.errors).toBeUndefined();
    expect(read.data!.payment.id).toBe(paymentId);
    expect(read.cacheControl).toBe('no-store');
  });
});
