import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// The fraud rules hold a large first payment to someone new for review: the money is reserved,
// compliance staff approve or reject it with a reason, support staff neither look nor decide,
// and the customer may still cancel while it waits.

let h: PaymentsHarness;
beforeAll(async () => {
  // A first payment to someone new above 100.00 is held.
  h = await startPayments({ fraudRules: { newPayeeFirstPaymentMaxMajor: 100n } });
}, 120_000);
afterAll(() => h.close());

const PAYMENT = `id status reviewReasons failureCode history { from to actor reason }`;
const CREATE = `mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`;
const CONFIRM = `mutation ($id: ID!) { confirmPayment(id: $id) { ${PAYMENT} } }`;
const DECIDE = `mutation ($id: ID!, $decision: PaymentDecision!, $reason: String!) { decidePayment(id: $id, decision: $decision, reason: $reason) { ${PAYMENT} } }`;
const REASON = 'Fraud rules held it for review';
const QUEUE = `{ paymentReviewQueue(first: 50, reason: "${REASON}") { edges { node { id status amount { amount } } } } }`;
const READ = `query ($id: ID!, $reason: String) { payment(id: $id, reason: $reason) { id status } }`;

async function heldPayment(amount = '150.00') {
  const payer = await h.customer();
  const payee = await h.customer();
  const from = await h.account(payer, 'GBP', 1_000_00n);
  const to = await h.account(payee, 'GBP');
  const id = (await h.gql(CREATE, { input: { kind: 'P2P', accountId: from, amount, currency: 'GBP', recipient: { email: payee.email } } }, payer)).data!.createPayment.id as string;
  const confirmed = await h.gql(CONFIRM, { id }, payer);
  return { payer, payee, from, to, id, confirmed };
}

let officer: Customer;
let secondOfficer: Customer;
let support: Customer;
beforeAll(async () => {
  officer = await h.customer({ roles: ['COMPLIANCE'] });
  secondOfficer = await h.customer({ roles: ['COMPLIANCE'] });
  support = await h.customer({ roles: ['SUPPORT'] });
});

const auditRows = async (paymentId: string) =>
  (await h.payments.dataSource.query(`SELECT staff_user_id, operation, reason, request_id FROM payments.staff_audit WHERE payment_id = $1 ORDER BY at`, [paymentId])) as {
    staff_user_id: string;
    operation: string;
    reason: string | null;
    request_id: string;
  }[];

describe('payments held for review', () => {
  it('holds a large first payment to someone new with the money reserved, and lets compliance approve it', async () => {
    const { from, to, id, confirmed } = await heldPayment();
    expect(confirmed.data!.confirmPayment).toMatchObject({ status: 'REQUIRES_REVIEW', reviewReasons: ['NEW_PAYEE_LARGE_FIRST_PAYMENT'] });
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 850_00n });
    expect(await h.balance(to)).toEqual({ posted: 0n, available: 0n });

    const queue = await h.gql(QUEUE, {}, officer);
    expect(queue.data!.paymentReviewQueue.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
    const approved = await h.gql(DECIDE, { id, decision: 'APPROVE', reason: 'known landlord, rent' }, officer);
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.decidePayment.status).toBe('SUCCEEDED');
    expect(approved.data!.decidePayment.history.map((e: { to: string; actor: string }) => `${e.to}/${e.actor}`)).toEqual([
      'REQUIRES_CONFIRMATION/CUSTOMER',
      'REQUIRES_REVIEW/CUSTOMER',
      'PROCESSING/STAFF',
      'SUCCEEDED/SYSTEM',
    ]);
    expect(await h.balance(from)).toEqual({ posted: 850_00n, available: 850_00n });
    expect(await h.balance(to)).toEqual({ posted: 150_00n, available: 150_00n });
    // Staff reads and decisions are audited.
    const audit = await auditRows(id);
    expect(audit.map((r) => r.operation)).toEqual(expect.arrayContaining(['Query.paymentReviewQueue', 'Mutation.decidePayment:APPROVE']));
    // Each with the reason given: the reviewer's for reading, the decision's for deciding.
    expect(audit.find((r) => r.operation === 'Query.paymentReviewQueue')!.reason).toBe(REASON);
    expect(audit.find((r) => r.operation === 'Mutation.decidePayment:APPROVE')!.reason).toBe('known landlord, rent');
    // A decided payment cannot be decided again.
    expect((await h.gql(DECIDE, { id, decision: 'REJECT', reason: 'second thoughts' }, secondOfficer)).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'SUCCEEDED' });
  });

  it('releases the reservation when compliance rejects, failing the payment with the reason recorded', async () => {
    const { payer, from, id } = await heldPayment('200.00');
    const rejected = await h.gql(DECIDE, { id, decision: 'REJECT', reason: 'account takeover suspected' }, officer);
    expect(rejected.data!.decidePayment).toMatchObject({ status: 'FAILED', failureCode: 'REJECTED_BY_REVIEW' });
    expect(rejected.data!.decidePayment.history.at(-1)).toMatchObject({ from: 'REQUIRES_REVIEW', to: 'FAILED', actor: 'STAFF', reason: 'rejected: account takeover suspected' });
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
    const limits = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { paymentLimits { usedToday { amount } } } } }`, { id: payer.id }, payer);
    expect(limits.data!._entities[0].paymentLimits.usedToday.amount).toBe('0.00');
  });

  it('keeps the queue, other customers’ payments and decisions to payments reviewers: support staff and customers are refused, nothing audited', async () => {
    const { payer, id } = await heldPayment();
    const before = (await auditRows(id)).length;
    expect((await h.gql(QUEUE, {}, support)).errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', fields: ['Query.paymentReviewQueue'] });
    const read = await h.gql(READ, { id, reason: REASON }, support);
    expect(read.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', fields: ['Query.payment'] });
    expect((await h.gql(DECIDE, { id, decision: 'APPROVE', reason: 'looks fine' }, support)).errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.decidePayment'] });
    expect((await h.gql(DECIDE, { id, decision: 'APPROVE', reason: 'my own payment' }, payer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await h.gql(QUEUE, {}, payer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await auditRows(id)).length).toBe(before);
    // A reviewer reads any payment, audited with the reason given (trimmed).
    expect((await h.gql(READ, { id, reason: ` ${REASON}  ` }, officer)).data!.payment).toEqual({ id, status: 'REQUIRES_REVIEW' });
    expect((await auditRows(id)).filter((r) => r.staff_user_id === officer.id && r.operation === 'Query.payment').map((r) => r.reason)).toEqual([REASON]);
    expect((await h.gql(DECIDE, { id, decision: 'APPROVE', reason: 'x' }, officer)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
  });

  it('refuses a reviewer’s read without a reason of 3 to 500 characters with BAD_USER_INPUT, reading and auditing nothing', async () => {
    const { payer, id } = await heldPayment();
    const before = (await auditRows(id)).length;
    for (const reason of [null, '', '   ', 'no', 'x'.repeat(501)]) {
      expect((await h.gql(READ, { id, reason }, officer)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      const queue = await h.gql(`query ($reason: String!) { paymentReviewQueue(first: 5, reason: $reason) { edges { cursor } } }`, { reason: reason ?? '' }, officer);
      expect(queue.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    }
    // Required on the queue: leaving it out fails validation.
    expect((await h.gql(`{ paymentReviewQueue(first: 5) { edges { cursor } } }`, {}, officer)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // An unknown payment is refused for the reason first: nothing tells a reviewer without one whether it exists.
    expect((await h.gql(READ, { id: '0190aaaa-0000-7000-8000-000000000000' }, officer)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await auditRows(id)).length).toBe(before);
    // The customer reads their own payment without one.
    expect((await h.gql(READ, { id }, payer)).data!.payment).toEqual({ id, status: 'REQUIRES_REVIEW' });
  });

  it('keeps the staff audit append-only', async () => {
    const { id } = await heldPayment();
    expect((await h.gql(READ, { id, reason: REASON }, officer)).errors).toBeUndefined();
    await expect(h.payments.dataSource.query(`UPDATE payments.staff_audit SET reason = 'Something else' WHERE payment_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(h.payments.dataSource.query(`DELETE FROM payments.staff_audit WHERE payment_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(h.payments.dataSource.query(`TRUNCATE payments.staff_audit`)).rejects.toThrow(/append-only/);
    expect((await auditRows(id)).map((r) => r.reason)).toEqual([REASON]);
  });

  it('lets the customer cancel a payment waiting for review, releasing the money', async () => {
    const { payer, from, id } = await heldPayment();
    const canceled = await h.gql(`mutation ($id: ID!) { cancelPayment(id: $id) { status } }`, { id }, payer);
    expect(canceled.data!.cancelPayment.status).toBe('CANCELED');
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
    expect((await h.gql(DECIDE, { id, decision: 'APPROVE', reason: 'too late now' }, officer)).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'CANCELED' });
  });

  it('lets a payment of the usual size to someone already paid through', async () => {
    const { payer, payee, from } = await heldPayment('50.00');
    const id = (await h.gql(CREATE, { input: { kind: 'P2P', accountId: from, amount: '60.00', currency: 'GBP', recipient: { email: payee.email } } }, payer)).data!.createPayment.id;
    expect((await h.gql(CONFIRM, { id }, payer)).data!.confirmPayment).toMatchObject({ status: 'SUCCEEDED', reviewReasons: [] });
  });
});
