import { randomUUID } from 'node:crypto';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// The recipient of a payment sends (part of) it back: refunds never add up to more than was paid,
// however many run at once, and a refund whose ledger answer was lost is finished by its retry.

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
}, 120_000);
afterAll(() => h.close());
afterEach(() => {
  h.faults.loseAnswers = 0;
});

const REFUND = `mutation ($id: ID!, $amount: Decimal, $key: String) {
  refundPayment(id: $id, amount: $amount, reason: "overpaid", idempotencyKey: $key) { status refundedAmount { amount } refunds { amount { amount } status } }
}`;

async function paid(amount = '100.00') {
  const payer = await h.customer();
  const payee = await h.customer();
  const from = await h.account(payer, 'GBP', 500_00n);
  const to = await h.account(payee, 'GBP');
  const created = await h.gql(`mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, { input: { kind: 'P2P', accountId: from, amount, currency: 'GBP', recipient: { email: payee.email } } }, payer);
  const id = created.data!.createPayment.id as string;
  expect((await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { status } }`, { id }, payer)).data!.confirmPayment.status).toBe('SUCCEEDED');
  return { payer, payee, from, to, id };
}

const refund = (as: Customer, id: string, amount?: string, key?: string) => h.gql(REFUND, { id, amount, key }, as);

describe('refunds', () => {
  it('lets the recipient send part and then the rest back, moving the money each time, and never more', async () => {
    const { payer, payee, from, to, id } = await paid();
    const part = await refund(payee, id, '30.00');
    expect(part.errors).toBeUndefined();
    expect(part.data!.refundPayment).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '30.00' }, refunds: [{ amount: { amount: '30.00' }, status: 'SUCCEEDED' }] });
    expect(await h.balance(from)).toEqual({ posted: 430_00n, available: 430_00n });
    expect(await h.balance(to)).toEqual({ posted: 70_00n, available: 70_00n });

    expect((await refund(payee, id, '70.01')).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    const rest = await refund(payee, id);
    expect(rest.data!.refundPayment).toMatchObject({ status: 'REFUNDED', refundedAmount: { amount: '100.00' } });
    expect(await h.balance(to)).toEqual({ posted: 0n, available: 0n });
    expect((await refund(payee, id, '1.00')).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'REFUNDED' });
    // The payer cannot pull the money back; a stranger does not see the payment.
    const another = await paid('10.00');
    expect((await refund(another.payer, another.id)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await refund(payer, another.id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const events = await h.payments.dataSource.query(`SELECT event_type FROM payments.outbox WHERE aggregate_id = $1 ORDER BY seq`, [id]);
    expect(events.map((e: { event_type: string }) => e.event_type)).toEqual(['payment.succeeded', 'payment.refunded', 'payment.refunded']);
    // Each refund event names the ledger transfer that moved the money back, so readers of the ledger can tell it is a refund.
    const refunded: { payload: { refundTransferId: string; refundId: string } }[] = await h.payments.dataSource.query(
      `SELECT payload FROM payments.outbox WHERE aggregate_id = $1 AND event_type = 'payment.refunded' ORDER BY seq`,
      [id],
    );
    const transfers: { id: string; code: string }[] = await h.banking.dataSource.query(`SELECT id, code FROM banking.transfers WHERE id = ANY($1::uuid[])`, [
      refunded.map((e) => e.payload.refundTransferId),
    ]);
    expect(transfers.map((t) => t.code)).toEqual(['P2P_REFUND', 'P2P_REFUND']);
  });

  it('never refunds more than was paid when ten refunds race', async () => {
    const { payee, to, id } = await paid('100.00');
    const results = await Promise.all(Array.from({ length: 10 }, () => refund(payee, id, '30.00')));
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(3);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.field === 'amount')).toHaveLength(7);
    expect(await h.balance(to)).toEqual({ posted: 10_00n, available: 10_00n });
    const [row] = await h.payments.dataSource.query(`SELECT refunded_amount, refund_reserved, status FROM payments.payments WHERE id = $1`, [id]);
    expect(row).toMatchObject({ refunded_amount: '9000', refund_reserved: '0', status: 'PARTIALLY_REFUNDED' });
  });

  it('finishes a refund whose ledger answer was lost with the retry under the same key, moving the money once', async () => {
    const { payee, from, to, id } = await paid('50.00');
    const key = randomUUID();
    h.faults.loseAnswers = 1_000;
    expect((await refund(payee, id, '20.00', key)).errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    h.faults.loseAnswers = 0;
    const retried = await refund(payee, id, '20.00', key);
    expect(retried.data!.refundPayment).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '20.00' } });
    expect(await h.balance(to)).toEqual({ posted: 30_00n, available: 30_00n });
    expect(await h.balance(from)).toEqual({ posted: 470_00n, available: 470_00n });
  });

  it('fails a refund the recipient can no longer fund, moving nothing and freeing the amount', async () => {
    const { payee, to, id } = await paid('40.00');
    const other = await h.customer();
    await h.account(other, 'GBP');
    // The recipient spends it elsewhere first.
    const spend = await h.gql(`mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, { input: { kind: 'P2P', accountId: to, amount: '35.00', currency: 'GBP', recipient: { email: other.email } } }, payee);
    await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { status } }`, { id: spend.data!.createPayment.id }, payee);
    const refused = await refund(payee, id, '10.00');
    expect(refused.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_FUNDS');
    expect(await h.balance(to)).toEqual({ posted: 5_00n, available: 5_00n });
    expect((await refund(payee, id, '5.00')).data!.refundPayment).toMatchObject({ refundedAmount: { amount: '5.00' }, refunds: [{ status: 'FAILED' }, { status: 'SUCCEEDED' }] });
  });
});
