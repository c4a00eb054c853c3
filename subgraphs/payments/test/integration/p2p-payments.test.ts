import { randomUUID } from 'node:crypto';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// A customer pays another by email or phone through payments' graph; the money moves in
// banking's ledger (a hold, then its post), each step recorded in the payment's history.

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
}, 120_000);
afterAll(() => h.close());

const PAYMENT = `id kind status amount { amount currency } refundedAmount { amount } counterparty { name } received description
  reviewReasons failureCode failureMessage transfer { id } history { from to actor reason }`;
const CREATE = `mutation ($input: CreatePaymentInput!, $key: String) { createPayment(input: $input, idempotencyKey: $key) { ${PAYMENT} } }`;
const CONFIRM = `mutation ($id: ID!, $key: String) { confirmPayment(id: $id, idempotencyKey: $key) { ${PAYMENT} } }`;
const CANCEL = `mutation ($id: ID!) { cancelPayment(id: $id, reason: "changed my mind") { ${PAYMENT} } }`;

async function pair(funds = 100_00n) {
  const payer = await h.customer();
  const payee = await h.customer();
  const from = await h.account(payer, 'GBP', funds);
  const to = await h.account(payee, 'GBP');
  return { payer, payee, from, to };
}

const create = (as: Customer, input: Record<string, unknown>, key?: string) => h.gql(CREATE, { input: { kind: 'P2P', currency: 'GBP', ...input }, key }, as);

describe('peer-to-peer payments', () => {
  it('pays another customer found by email: created, confirmed, the money moves once, and both sides see it', async () => {
    const { payer, payee, from, to } = await pair();
    const created = await create(payer, { accountId: from, amount: '25.00', recipient: { email: payee.email.toUpperCase() }, description: 'Dinner' });
    expect(created.errors).toBeUndefined();
    const payment = created.data!.createPayment;
    expect(payment).toMatchObject({ kind: 'P2P', status: 'REQUIRES_CONFIRMATION', amount: { amount: '25.00', currency: 'GBP' }, transfer: null, received: false });
    expect(await h.balance(from)).toEqual({ posted: 100_00n, available: 100_00n });

    const confirmed = await h.gql(CONFIRM, { id: payment.id }, payer);
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data!.confirmPayment).toMatchObject({ status: 'SUCCEEDED', failureCode: null, transfer: { id: expect.any(String) } });
    expect(confirmed.data!.confirmPayment.history.map((e: { to: string }) => e.to)).toEqual(['REQUIRES_CONFIRMATION', 'PROCESSING', 'SUCCEEDED']);
    expect(confirmed.data!.confirmPayment.history.map((e: { actor: string }) => e.actor)).toEqual(['CUSTOMER', 'CUSTOMER', 'SYSTEM']);
    expect(await h.balance(from)).toEqual({ posted: 75_00n, available: 75_00n });
    expect(await h.balance(to)).toEqual({ posted: 25_00n, available: 25_00n });

    // The recipient sees it as received, without the payer's account.
    const seen = await h.gql(`query ($id: ID!) { payment(id: $id) { status received counterparty { name } } }`, { id: payment.id }, payee);
    expect(seen.data!.payment).toMatchObject({ status: 'SUCCEEDED', received: true });
    const list = await h.gql(`{ payments(first: 5) { edges { node { id received } } } }`, {}, payee);
    expect(list.data!.payments.edges).toEqual([{ node: { id: payment.id, received: true } }]);
    // A stranger learns nothing.
    const stranger = await h.customer();
    const hidden = await h.gql(`query ($id: ID!) { payment(id: $id) { id } }`, { id: payment.id }, stranger);
    expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // Confirming a finished payment again without a key is a conflict naming its state; nothing moves.
    const again = await h.gql(CONFIRM, { id: payment.id }, payer);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'SUCCEEDED' });
    expect(await h.balance(from)).toEqual({ posted: 75_00n, available: 75_00n });
  });

  it('pays by phone number, and refuses a payment the account cannot fund as FAILED with INSUFFICIENT_FUNDS, releasing the limits', async () => {
    const payer = await h.customer();
    const from = await h.account(payer, 'GBP', 10_00n);
    const phone = `+44770090${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    const payee = await h.identity.accounts.register(
      { email: `phone-${randomUUID()}@example.com`, password: 'a long and unusual passphrase 7', displayName: 'Phone Payee', phone },
      { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' },
    );
    await h.banking.accounts.openAccount({ ownerId: payee.id, type: 'CURRENT', currency: 'GBP' });
    const created = await create(payer, { accountId: from, amount: '50.00', recipient: { phone } });
    expect(created.data!.createPayment).toMatchObject({ counterparty: { name: 'Phone Payee' } });
    const confirmed = await h.gql(CONFIRM, { id: created.data!.createPayment.id }, payer);
    expect(confirmed.data!.confirmPayment).toMatchObject({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
    expect(await h.balance(from)).toEqual({ posted: 10_00n, available: 10_00n });
    const limits = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { paymentLimits { usedToday { amount } remainingToday { amount } } } } }`, { id: payer.id }, payer);
    expect(limits.data!._entities[0].paymentLimits).toEqual({ usedToday: { amount: '0.00' }, remainingToday: { amount: '2500.00' } });
  });

  it('cancels a payment before confirmation; it can then never be confirmed', async () => {
    const { payer, payee, from } = await pair();
    const created = await create(payer, { accountId: from, amount: '5.00', recipient: { email: payee.email } });
    const canceled = await h.gql(CANCEL, { id: created.data!.createPayment.id }, payer);
    expect(canceled.data!.cancelPayment).toMatchObject({ status: 'CANCELED' });
    const confirmed = await h.gql(CONFIRM, { id: created.data!.createPayment.id }, payer);
    expect(confirmed.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'CANCELED' });
    expect(await h.balance(from)).toEqual({ posted: 100_00n, available: 100_00n });
  });

  it('refuses bad input with a clear code, writing nothing', async () => {
    const { payer, payee, from } = await pair();
    const count = async () => Number((await h.payments.dataSource.query(`SELECT count(*) AS n FROM payments.payments WHERE user_id = $1`, [payer.id]))[0].n);
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ accountId: from, amount: '0', recipient: { email: payee.email } }, 'BAD_USER_INPUT', 'amount'],
      [{ accountId: from, amount: '-5.00', recipient: { email: payee.email } }, 'BAD_USER_INPUT', 'amount'],
      [{ accountId: from, amount: '1.005', recipient: { email: payee.email } }, 'BAD_USER_INPUT', 'amount'],
      [{ accountId: from, amount: '5.00', currency: 'EUR', recipient: { email: payee.email } }, 'BAD_USER_INPUT', 'currency'],
      [{ accountId: from, amount: '5.00', recipient: { email: payer.email } }, 'BAD_USER_INPUT', 'recipient'],
      [{ accountId: from, amount: '5.00', recipient: { email: 'nobody@example.com' } }, 'NOT_FOUND', 'recipient'],
      [{ accountId: from, amount: '5.00', recipient: { email: payee.email, phone: '+447700900123' } }, 'BAD_USER_INPUT', 'recipient'],
      [{ accountId: from, amount: '5.00', recipient: {} }, 'BAD_USER_INPUT', 'recipient'],
      [{ accountId: randomUUID(), amount: '5.00', recipient: { email: payee.email } }, 'NOT_FOUND', 'accountId'],
      [{ accountId: from, amount: '5.00', recipient: { email: payee.email }, description: 'x'.repeat(141) }, 'BAD_USER_INPUT', 'description'],
    ];
    for (const [input, code, field] of cases) {
      const res = await create(payer, input);
      expect({ input, extensions: res.errors?.[0]?.extensions }).toMatchObject({ input, extensions: { code, ...(field ? { field } : {}) } });
    }
    // Another customer's account is not found either, however it is asked for.
    const other = await h.account(payee, 'GBP', 10_00n);
    expect((await create(payer, { accountId: other, amount: '5.00', recipient: { email: payee.email } })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    // An unsupported currency fails at the schema.
    expect((await create(payer, { accountId: from, amount: '5.00', currency: 'XXX', recipient: { email: payee.email } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(0);
  });

  it('refuses a customer at tier 0 before anything is created', async () => {
    const payer = await h.customer({ tier: 'TIER_0' });
    const payee = await h.customer();
    const from = await h.account(payer, 'GBP', 10_00n);
    await h.account(payee, 'GBP');
    const res = await create(payer, { accountId: from, amount: '5.00', recipient: { email: payee.email } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'TIER_TOO_LOW', tier: 'TIER_0' });
  });
});
