import { randomUUID } from 'node:crypto';
import { signWebhook } from '@meridian/platform';
import { serializeProviderWebhookEvent, SIMULATED_CARDS, simulatedProviderRef } from '../../src/providers';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// Money paid back through the payment provider: card top-ups refunded to the card (a hold on the
// customer's account, the provider's refund, then the hold posted or voided), and payouts and bill
// payments the receiving bank sends back by webhook (settlement pays the customer back). Webhooks
// settle a second after the provider's answer, so a test can deliver one of its own before them.

// Customers here act as after a recent step-up (`mfa`): a new payee needs a second factor from the last 5 minutes.
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ workers: true, providerDelayMs: 1_000 });
}, 120_000);
afterAll(() => h.close());
afterEach(() => {
  h.faults.down = false;
});

const PAYMENT = `id kind status refundedAmount { amount } refunds { amount { amount } status reason failureCode } history { to actor }`;
const REFUND = `mutation ($id: ID!, $amount: Decimal, $key: String) {
  refundPayment(id: $id, amount: $amount, reason: "changed my mind", idempotencyKey: $key) { ${PAYMENT} }
}`;

const refund = (as: Customer, id: string, amount?: string, key?: string) => h.gql(REFUND, { id, amount, key }, as);
const db = () => h.payments.dataSource;
const statusOf = async (id: string) => ((await db().query(`SELECT status FROM payments.payments WHERE id = $1`, [id])) as { status: string }[])[0].status;
const eventsOf = async (id: string) =>
  ((await db().query(`SELECT event_type FROM payments.outbox WHERE aggregate_id = $1 ORDER BY seq`, [id])) as { event_type: string }[]).map((e) => e.event_type);
const attemptsOf = async (id: string, operation: string) =>
  (await db().query(`SELECT id, status, provider_ref, refund_id FROM payments.provider_attempts WHERE payment_id = $1 AND operation = $2 ORDER BY created_at`, [id, operation])) as {
    id: string;
    status: string;
    provider_ref: string | null;
    refund_id: string | null;
  }[];
const reservedOf = async (id: string) => (await db().query(`SELECT refunded_amount, refund_reserved FROM payments.payments WHERE id = $1`, [id]))[0];

/** Polls until the payment is in one of `statuses` (or 20 s passed) and answers the status it is in. */
async function until(id: string, statuses: string[], timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await statusOf(id);
    if (statuses.includes(status) || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A customer who topped up an empty account from a saved card; the charge has succeeded. */
async function topUp(amount: string, number: string = SIMULATED_CARDS.visa) {
  const me = await h.customer({ mfa: true });
  const account = await h.account(me, 'GBP', 0n);
  const card = await h.gql(`mutation ($input: AddCardInput!) { addCard(input: $input) { id } }`, { input: { number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } }, me);
  expect(card.errors).toBeUndefined();
  const created = await h.gql(
    `mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`,
    { input: { kind: 'CARD', accountId: account, amount, currency: 'GBP', cardId: card.data!.addCard.id } },
    me,
  );
  expect(created.errors).toBeUndefined();
  const id = created.data!.createPayment.id as string;
  const confirmed = await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { status } }`, { id }, me);
  expect(confirmed.errors).toBeUndefined();
  return { me, account, id, status: await until(id, ['SUCCEEDED', 'FAILED']) };
}

/** A customer with 1,000.00 who paid `amount` out to a saved payee (or biller) through the provider. */
async function paidOut(amount: string, kind: 'PAYOUT' | 'BILL' = 'PAYOUT') {
  const me = await h.customer({ tier: 'TIER_2', mfa: true });
  const from = await h.account(me, 'GBP', 1_000_00n);
  const destination =
    kind === 'PAYOUT'
      ? { payeeId: (await h.gql(`mutation ($input: CreatePayeeInput!) { createPayee(input: $input) { id } }`, { input: { name: 'Landlord Ltd', sortCode: '60-16-13', accountNumber: '31926819' } }, me)).data!.createPayee.id }
      : { billerId: (await h.gql(`mutation ($input: CreateBillerInput!) { createBiller(input: $input) { id } }`, { input: { name: 'Thames Water', billerCode: 'THAMES01', reference: 'CUST-88231' } }, me)).data!.createBiller.id };
  const created = await h.gql(`mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, { input: { kind, accountId: from, amount, currency: 'GBP', ...destination } }, me);
  expect(created.errors).toBeUndefined();
  const id = created.data!.createPayment.id as string;
  const confirmed = await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { status } }`, { id }, me);
  expect(confirmed.errors).toBeUndefined();
  const [attempt] = await attemptsOf(id, 'PAYOUT');
  return { me, from, id, attemptId: attempt.id, status: confirmed.data!.confirmPayment.status as string };
}

const sign = (body: string, id = `msg_${randomUUID()}`) => signWebhook(h.webhookSecret, { id, timestamp: new Date(), body }) as unknown as Record<string, string>;
const post = (headers: Record<string, string>, body: string) =>
  h.payments.app.inject({ method: 'POST', url: '/webhooks/payments', headers: { 'content-type': 'application/json', ...headers }, payload: body });
const returnEvent = (attemptId: string, amount: bigint, sequence: number) =>
  serializeProviderWebhookEvent({
    type: 'payout.returned',
    data: { kind: 'PAYOUT', attemptId, providerRef: simulatedProviderRef('PAYOUT', attemptId), amount, currency: 'GBP', returnCode: 'account_closed', sequence, occurredAt: new Date().toISOString() },
  });

describe('card refunds', () => {
  it('refunds part and then the rest of a top-up to the card, taking the money back from the account each time, and never more', async () => {
    const { me, account, id, status } = await topUp('100.00');
    expect(status).toBe('SUCCEEDED');
    expect(await h.balance(account)).toEqual({ posted: 100_00n, available: 100_00n });
    const settlement = (await h.banking.accounts.systemAccount('SETTLEMENT', 'GBP')).id;
    const settlementBefore = await h.balance(settlement);

    const part = await refund(me, id, '30.00');
    expect(part.errors).toBeUndefined();
    expect(part.data!.refundPayment).toMatchObject({ kind: 'CARD', status: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '30.00' }, refunds: [{ amount: { amount: '30.00' }, status: 'SUCCEEDED', reason: 'changed my mind' }] });
    expect(await h.balance(account)).toEqual({ posted: 70_00n, available: 70_00n });

    const rest = await refund(me, id);
    expect(rest.data!.refundPayment).toMatchObject({ status: 'REFUNDED', refundedAmount: { amount: '100.00' } });
    expect(rest.data!.refundPayment.history.slice(-2)).toEqual([
      { to: 'PARTIALLY_REFUNDED', actor: 'CUSTOMER' },
      { to: 'REFUNDED', actor: 'CUSTOMER' },
    ]);
    expect(await h.balance(account)).toEqual({ posted: 0n, available: 0n });
    // The money went back towards the card: settlement got it.
    expect((await h.balance(settlement)).posted - settlementBefore.posted).toBe(100_00n);
    expect((await refund(me, id, '1.00')).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'REFUNDED' });

    expect(await eventsOf(id)).toEqual(['payment.succeeded', 'payment.refunded', 'payment.refunded']);
    const refunds = await attemptsOf(id, 'REFUND');
    expect(refunds).toHaveLength(2);
    for (const a of refunds) expect(a).toMatchObject({ status: 'SUCCEEDED', provider_ref: expect.stringMatching(/^re_sim_/), refund_id: expect.any(String) });
  });

  it('never refunds more than was topped up when ten refunds race', async () => {
    const { me, account, id } = await topUp('100.00');
    const results = await Promise.all(Array.from({ length: 10 }, () => refund(me, id, '30.00')));
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.field === 'amount')).toHaveLength(7);
    expect(await h.balance(account)).toEqual({ posted: 10_00n, available: 10_00n });
    expect(await reservedOf(id)).toEqual({ refunded_amount: '9000', refund_reserved: '0' });
    expect(await statusOf(id)).toBe('PARTIALLY_REFUNDED');
    expect((await attemptsOf(id, 'REFUND')).map((a) => a.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it('fails a refund the provider declines: the hold is voided, the amount freed, and it can be refunded again', async () => {
    const { me, account, id } = await topUp('50.00');
    const declined = await refund(me, id, '20.66');
    expect(declined.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', reason: 'REFUND_DECLINED' });
    expect(declined.errors?.[0]?.message).toContain('The card can no longer receive money');
    expect(await h.balance(account)).toEqual({ posted: 50_00n, available: 50_00n });
    expect(await reservedOf(id)).toEqual({ refunded_amount: '0', refund_reserved: '0' });
    expect(await statusOf(id)).toBe('SUCCEEDED');

    const whole = await refund(me, id, '50.00');
    expect(whole.data!.refundPayment).toMatchObject({
      status: 'REFUNDED',
      refunds: [
        { amount: { amount: '20.66' }, status: 'FAILED', failureCode: 'EXPIRED_OR_CANCELED_CARD' },
        { amount: { amount: '50.00' }, status: 'SUCCEEDED' },
      ],
    });
    expect(await h.balance(account)).toEqual({ posted: 0n, available: 0n });
  });

  it('resolves a refund whose provider answer timed out with the job, refunding once at the provider', async () => {
    const { me, account, id } = await topUp('50.00');
    const key = randomUUID();
    const first = await refund(me, id, '10.14', key);
    expect(first.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    // Held, not yet gone, while the outcome is unknown.
    expect(await h.balance(account)).toEqual({ posted: 50_00n, available: 39_86n });
    expect(await until(id, ['PARTIALLY_REFUNDED'])).toBe('PARTIALLY_REFUNDED');
    expect(await h.balance(account)).toEqual({ posted: 39_86n, available: 39_86n });
    expect((await attemptsOf(id, 'REFUND')).map((a) => a.status)).toEqual(['SUCCEEDED']);
    // The same key answers how it ended.
    expect((await refund(me, id, '10.14', key)).data!.refundPayment).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '10.14' } });

    // At the provider exactly 10.14 of the charge is refunded: what is left is 39.86, not a penny less.
    const [charge] = await attemptsOf(id, 'CHARGE');
    const probe = { charge: charge.provider_ref!, currency: 'GBP' as const, reason: 'probe' };
    await expect(h.provider.refund({ ...probe, attemptId: randomUUID(), amount: 39_87n })).rejects.toMatchObject({ extensions: { reason: 'REFUND_EXCEEDS_CHARGE' } });
    await expect(h.provider.refund({ ...probe, attemptId: randomUUID(), amount: 39_86n })).resolves.toMatchObject({ status: 'SUCCEEDED' });
  });

  it('finishes a refund the provider answers later by webhook; the same key then answers how it ended', async () => {
    const { me, account, id, status } = await topUp('40.00', SIMULATED_CARDS.pending);
    expect(status).toBe('SUCCEEDED');
    const key = randomUUID();
    const pending = await refund(me, id, undefined, key);
    expect(pending.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'REFUND_PENDING' });
    expect((await attemptsOf(id, 'REFUND')).map((a) => a.status)).toEqual(['PENDING']);
    expect(await h.balance(account)).toEqual({ posted: 40_00n, available: 0n });
    expect(await until(id, ['REFUNDED'])).toBe('REFUNDED');
    expect(await h.balance(account)).toEqual({ posted: 0n, available: 0n });
    expect((await refund(me, id, undefined, key)).data!.refundPayment).toMatchObject({ status: 'REFUNDED', refunds: [{ status: 'SUCCEEDED' }] });
  });

  it('refuses a refund the account can no longer fund, moving nothing, asking the provider nothing, and freeing the amount', async () => {
    const { me, account, id } = await topUp('50.00');
    const friend = await h.customer({ mfa: true });
    await h.account(friend, 'GBP');
    const spend = await h.gql(`mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, { input: { kind: 'P2P', accountId: account, amount: '45.00', currency: 'GBP', recipient: { email: friend.email } } }, me);
    expect((await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { status } }`, { id: spend.data!.createPayment.id }, me)).data!.confirmPayment.status).toBe('SUCCEEDED');

    expect((await refund(me, id, '10.00')).errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_FUNDS');
    expect(await h.balance(account)).toEqual({ posted: 5_00n, available: 5_00n });
    expect(await attemptsOf(id, 'REFUND')).toEqual([]);
    expect(await reservedOf(id)).toEqual({ refunded_amount: '0', refund_reserved: '0' });
    expect((await refund(me, id, '5.00')).data!.refundPayment).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunds: [{ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' }, { status: 'SUCCEEDED' }] });
  });

  it('lets only the customer who topped up refund: staff never move money, nobody else sees the payment', async () => {
    const { me, account, id } = await topUp('20.00');
    const stranger = await h.customer({ mfa: true });
    expect((await refund(stranger, id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // No staff role holds payments:write: the schema refuses them before anything is read or reserved.
    for (const roles of [['SUPPORT'], ['COMPLIANCE'], ['ADMIN']] as const) {
      const staff = await h.customer({ roles: [...roles] });
      expect((await refund(staff, id, '5.00')).errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.refundPayment'] });
    }
    expect(await h.balance(account)).toEqual({ posted: 20_00n, available: 20_00n });
    expect(await reservedOf(id)).toEqual({ refunded_amount: '0', refund_reserved: '0' });
    const byCustomer = await refund(me, id, '5.00');
    expect(byCustomer.data!.refundPayment.history.at(-1)).toEqual({ to: 'PARTIALLY_REFUNDED', actor: 'CUSTOMER' });
    const [{ actor }] = await db().query(`SELECT actor FROM payments.refunds WHERE payment_id = $1`, [id]);
    expect(actor).toBe(`user:${me.id}`);
    expect((await refund(me, id)).data!.refundPayment).toMatchObject({ status: 'REFUNDED' });

    const failed = await topUp('20.00', SIMULATED_CARDS.declined);
    expect(failed.status).toBe('FAILED');
    expect((await refund(failed.me, failed.id)).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'FAILED' });
  });

  it('answers a replay with the same key from the first refund, and refuses the key for another amount', async () => {
    const { me, account, id } = await topUp('30.00');
    const key = randomUUID();
    const first = await refund(me, id, '10.00', key);
    expect(first.data!.refundPayment).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '10.00' } });
    const again = await refund(me, id, '10.00', key);
    expect(again.data!.refundPayment).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '10.00' }, refunds: [{ status: 'SUCCEEDED' }] });
    expect((await refund(me, id, '12.00', key)).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await h.balance(account)).toEqual({ posted: 20_00n, available: 20_00n });
    expect(await attemptsOf(id, 'REFUND')).toHaveLength(1);
  });
});

describe('payouts and bill payments returned by the receiving bank', () => {
  it('pays a returned payout back from settlement by webhook, and ignores the same return delivered again', async () => {
    const { from, id, attemptId, status } = await paidOut('80.55');
    expect(status).toBe('SUCCEEDED');
    expect(await h.balance(from)).toEqual({ posted: 919_45n, available: 919_45n });
    expect(await until(id, ['REFUNDED'])).toBe('REFUNDED');
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
    const [row] = await db().query(`SELECT amount, status, actor, reason FROM payments.refunds WHERE payment_id = $1`, [id]);
    expect(row).toEqual({ amount: '8055', status: 'SUCCEEDED', actor: 'provider:simulated', reason: 'returned by the receiving bank: account_closed' });
    expect(await eventsOf(id)).toEqual(['payment.succeeded', 'payment.refunded']);
    const [{ actor: historyActor }] = await db().query(`SELECT actor FROM payments.payment_history WHERE payment_id = $1 ORDER BY seq DESC LIMIT 1`, [id]);
    expect(historyActor).toBe('provider:simulated');

    // The provider's own delivery again, and the same event under another webhook id: one move.
    const original = h.deliveries.find((d) => JSON.parse(d.body).type === 'payout.returned' && JSON.parse(d.body).data.attemptId === attemptId)!;
    expect(original).toBeDefined();
    expect((await post(original.headers, original.body)).json()).toMatchObject({ outcome: 'ignored' });
    const copy = await post(sign(original.body), original.body);
    expect(copy.statusCode).toBe(200);
    expect(copy.json()).toMatchObject({ outcome: 'ignored' });
    // Signed with another secret: refused, nothing changes.
    const forged = signWebhook('whsec_' + Buffer.alloc(32, 7).toString('base64'), { id: `msg_${randomUUID()}`, timestamp: new Date(), body: returnEvent(attemptId, 1_00n, 9) });
    expect((await post(forged as unknown as Record<string, string>, returnEvent(attemptId, 1_00n, 9))).statusCode).toBe(401);
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
    expect(await db().query(`SELECT count(*)::int AS n FROM payments.refunds WHERE payment_id = $1`, [id])).toEqual([{ n: 1 }]);
  });

  it('applies a partial return on demand, once, and refuses refundPayment on payouts and bill payments', async () => {
    const { me, from, id, attemptId } = await paidOut('100.00');
    expect(await statusOf(id)).toBe('SUCCEEDED');
    await h.provider.returnPayout(attemptId, { amount: 40_00n, code: 'account_frozen', delayMs: 0 });
    await expect(h.provider.returnPayout(attemptId)).rejects.toMatchObject({ extensions: { code: 'CONFLICT', reason: 'PAYOUT_ALREADY_RETURNED' } });
    expect(await until(id, ['PARTIALLY_REFUNDED'])).toBe('PARTIALLY_REFUNDED');
    expect(await h.balance(from)).toEqual({ posted: 940_00n, available: 940_00n });

    const stranger = await h.customer({ mfa: true });
    const refused = await refund(me, id, '10.00');
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id', reason: 'RETURNED_BY_BANK_ONLY' });
    expect(refused.errors?.[0]?.message).toContain('only when the receiving bank returns it');
    expect((await refund(stranger, id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const bill = await paidOut('20.00', 'BILL');
    expect(bill.status).toBe('SUCCEEDED');
    expect((await refund(bill.me, bill.id)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    await h.provider.returnPayout(bill.attemptId, { delayMs: 0 });
    expect(await until(bill.id, ['REFUNDED'])).toBe('REFUNDED');
    expect(await h.balance(bill.from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
  });

  it("handles a return that arrives before the payout's own success: the payout is finished first, its late success ignored", async () => {
    const { from, id, attemptId, status } = await paidOut('60.77');
    expect(status).toBe('PROCESSING');
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 939_23n });
    const body = returnEvent(attemptId, 60_77n, 3);
    const res = await post(sign(body), body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'applied' });
    expect(await statusOf(id)).toBe('REFUNDED');
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });

    // The provider's success webhook (sequence 2) arrives afterwards and changes nothing.
    const deadline = Date.now() + 20_000;
    while (!h.deliveries.some((d) => JSON.parse(d.body).type === 'payment.succeeded' && JSON.parse(d.body).data.attemptId === attemptId) || h.provider.pending() > 0) {
      if (Date.now() > deadline) throw new Error('the success webhook was not delivered');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await statusOf(id)).toBe('REFUNDED');
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
    const history = await db().query(`SELECT from_status, to_status FROM payments.payment_history WHERE payment_id = $1 ORDER BY seq`, [id]);
    expect(history.slice(-2)).toEqual([
      { from_status: 'PROCESSING', to_status: 'SUCCEEDED' },
      { from_status: 'SUCCEEDED', to_status: 'REFUNDED' },
    ]);
    expect(await eventsOf(id)).toEqual(['payment.succeeded', 'payment.refunded']);
  });

  it('answers 503 while the ledger is unreachable, changing nothing, and applies the same delivery when the provider retries', async () => {
    const { from, id, attemptId } = await paidOut('30.00');
    const body = returnEvent(attemptId, 30_00n, 2);
    const headers = sign(body);
    h.faults.down = true;
    const refused = await post(headers, body);
    expect(refused.statusCode).toBe(503);
    expect(await h.balance(from)).toEqual({ posted: 970_00n, available: 970_00n });
    expect(await statusOf(id)).toBe('SUCCEEDED');
    h.faults.down = false;
    const retried = await post(headers, body);
    expect(retried.statusCode).toBe(200);
    expect(await statusOf(id)).toBe('REFUNDED');
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
  });
});
