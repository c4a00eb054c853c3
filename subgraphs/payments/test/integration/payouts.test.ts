import { randomUUID } from 'node:crypto';
import { signWebhook } from '@meridian/platform';
import { serializeProviderWebhookEvent } from '../../src/providers';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// Payouts to saved payees through the simulated provider: the money is held, the provider pays,
// and its answer — now, by signed webhook, or found by asking again after a timeout — posts or
// releases the hold. One attempt id per payment, so a payout is never made twice.

// Customers here act as after a recent step-up (`mfa`): a new payee needs a second factor from the last 5 minutes.
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ workers: true, providerDelayMs: 200 });
}, 120_000);
afterAll(() => h.close());

const PAYMENT = `id status failureCode failureMessage`;

async function payout(amount: string, accountNumber = '31926819') {
  const payer = await h.customer({ tier: 'TIER_2', mfa: true });
  const from = await h.account(payer, 'GBP', 1_000_00n);
  const payee = await h.gql(`mutation ($input: CreatePayeeInput!) { createPayee(input: $input) { id } }`, { input: { name: 'Landlord Ltd', sortCode: '60-16-13', accountNumber } }, payer);
  expect(payee.errors).toBeUndefined();
  const created = await h.gql(
    `mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { ${PAYMENT} kind counterparty { name } } }`,
    { input: { kind: 'PAYOUT', accountId: from, amount, currency: 'GBP', payeeId: payee.data!.createPayee.id } },
    payer,
  );
  expect(created.errors).toBeUndefined();
  expect(created.data!.createPayment).toMatchObject({ kind: 'PAYOUT', status: 'REQUIRES_CONFIRMATION', counterparty: { name: 'Landlord Ltd' } });
  const id = created.data!.createPayment.id as string;
  const confirmed = await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { ${PAYMENT} } }`, { id }, payer);
  expect(confirmed.errors).toBeUndefined();
  return { payer, from, id, confirmed: confirmed.data!.confirmPayment };
}

async function until(payer: Customer, id: string, statuses: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.gql(`query ($id: ID!) { payment(id: $id) { ${PAYMENT} } }`, { id }, payer);
    const payment = res.data!.payment;
    if (statuses.includes(payment.status) || Date.now() > deadline) return payment;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const attemptsOf = async (paymentId: string) =>
  (await h.payments.dataSource.query(`SELECT status, tries FROM payments.provider_attempts WHERE payment_id = $1`, [paymentId])) as { status: string; tries: number }[];

describe('payouts to saved payees', () => {
  it('pays out at once when the provider succeeds, posting the hold', async () => {
    const { from, id, confirmed } = await payout('120.00');
    expect(confirmed).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(from)).toEqual({ posted: 880_00n, available: 880_00n });
    expect(await attemptsOf(id)).toEqual([{ status: 'SUCCEEDED', tries: 1 }]);
  });

  it('fails a payout the provider declines, releasing the hold, with the decline as the failure code', async () => {
    const { from, confirmed } = await payout('50.00', '12340000');
    expect(confirmed).toMatchObject({ status: 'FAILED', failureCode: 'INVALID_ACCOUNT', failureMessage: "The payee's bank account does not exist." });
    expect(await h.balance(from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
  });

  it('finishes a payout the provider answers later by webhook: success posts, failure releases', async () => {
    const ok = await payout('40.77');
    expect(ok.confirmed.status).toBe('PROCESSING');
    expect(await h.balance(ok.from)).toEqual({ posted: 1_000_00n, available: 959_23n });
    expect(await until(ok.payer, ok.id, ['SUCCEEDED', 'FAILED'])).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(ok.from)).toEqual({ posted: 959_23n, available: 959_23n });

    const closed = await payout('40.66');
    expect(closed.confirmed.status).toBe('PROCESSING');
    expect(await until(closed.payer, closed.id, ['SUCCEEDED', 'FAILED'])).toMatchObject({ status: 'FAILED', failureCode: 'ACCOUNT_CLOSED' });
    expect(await h.balance(closed.from)).toEqual({ posted: 1_000_00n, available: 1_000_00n });
  });

  it('resolves a timeout by asking the provider, never paying twice: paid before the timeout, or never received and sent again', async () => {
    // The provider paid, then the answer timed out.
    const paid = await payout('30.13');
    expect(paid.confirmed.status).toBe('PROCESSING');
    expect(await until(paid.payer, paid.id, ['SUCCEEDED', 'FAILED'])).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(paid.from)).toEqual({ posted: 969_87n, available: 969_87n });
    // The request never reached the provider: the job finds nothing there and sends the same attempt again.
    const lost = await payout('30.14');
    expect(lost.confirmed.status).toBe('PROCESSING');
    expect(await until(lost.payer, lost.id, ['SUCCEEDED', 'FAILED'])).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(lost.from)).toEqual({ posted: 969_86n, available: 969_86n });
    // One attempt each at the provider, whatever was retried.
    for (const id of [paid.id, lost.id]) expect((await attemptsOf(id)).map((a) => a.status)).toEqual(['SUCCEEDED']);
  });
});

describe('the provider webhook', () => {
  const sign = (body: string) => signWebhook(h.webhookSecret, { id: `msg_${randomUUID()}`, timestamp: new Date(), body }) as unknown as Record<string, string>;
  const post = (headers: Record<string, string>, body: string) =>
    h.payments.app.inject({ method: 'POST', url: '/webhooks/payments', headers: { 'content-type': 'application/json', ...headers }, payload: body });

  it('refuses a bad signature or a stale timestamp with 401, ignores a duplicate and an older event, changing nothing', async () => {
    const { payer, from, id } = await payout('25.77');
    await until(payer, id, ['SUCCEEDED', 'FAILED']);
    const [{ id: attemptId }] = await h.payments.dataSource.query(`SELECT id FROM payments.provider_attempts WHERE payment_id = $1`, [id]);
    const original = h.deliveries.find((d) => JSON.parse(d.body).data?.attemptId === attemptId)!;
    expect(original).toBeDefined();

    // A duplicate delivery (same webhook id) is acknowledged and ignored.
    const duplicate = await post(original.headers, original.body);
    expect(duplicate.statusCode).toBe(200);
    expect(duplicate.json()).toMatchObject({ outcome: 'ignored' });

    // A failure event signed properly but no newer than the success already applied is acknowledged and ignored.
    const event = JSON.parse(original.body);
    const older = serializeProviderWebhookEvent({ type: 'payment.failed', data: { ...event.data, status: 'DECLINED', declineCode: 'account_closed', sequence: event.data.sequence, amount: BigInt(event.data.amount) } });
    const olderRes = await post(sign(older), older);
    expect(olderRes.statusCode).toBe(200);
    expect(olderRes.json()).toMatchObject({ outcome: 'ignored' });

    const later = serializeProviderWebhookEvent({ type: 'payment.failed', data: { ...event.data, status: 'DECLINED', declineCode: 'account_closed', sequence: 9, amount: BigInt(event.data.amount) } });
    // Signed with another secret: refused.
    const forged = signWebhook('whsec_' + Buffer.alloc(32, 7).toString('base64'), { id: `msg_${randomUUID()}`, timestamp: new Date(), body: later });
    expect((await post(forged as unknown as Record<string, string>, later)).statusCode).toBe(401);
    // Signed properly but ten minutes old: refused.
    const stale = signWebhook(h.webhookSecret, { id: `msg_${randomUUID()}`, timestamp: new Date(Date.now() - 600_000), body: later });
    expect((await post(stale as unknown as Record<string, string>, later)).statusCode).toBe(401);
    // A newer failure after success: the attempt is final, so it changes nothing.
    const res = await post(sign(later), later);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'ignored' });
    expect((await until(payer, id, ['SUCCEEDED'])).status).toBe('SUCCEEDED');
    expect(await h.balance(from)).toEqual({ posted: 974_23n, available: 974_23n });
    // Malformed JSON with a valid signature is 400.
    expect((await post(sign('{nope'), '{nope')).statusCode).toBe(400);
    // Nothing was recorded for the refused deliveries.
    const receipts = await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payments.webhook_receipts`);
    expect(receipts[0].n).toBeGreaterThan(0);
  });
});

describe('card payments (top-ups from a saved card)', () => {
  async function topUp(number: string, amount = '60.00') {
    const me = await h.customer({ mfa: true });
    const account = await h.account(me, 'GBP', 0n);
    const card = await h.gql(
      `mutation ($input: AddCardInput!) { addCard(input: $input) { id brand last4 } }`,
      { input: { number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } },
      me,
    );
    expect(card.errors).toBeUndefined();
    const created = await h.gql(
      `mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id kind status counterparty { name } } }`,
      { input: { kind: 'CARD', accountId: account, amount, currency: 'GBP', cardId: card.data!.addCard.id } },
      me,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createPayment.id as string;
    const confirmed = await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { ${PAYMENT} } }`, { id }, me);
    expect(confirmed.errors).toBeUndefined();
    return { me, account, id, created: created.data!.createPayment, confirmed: confirmed.data!.confirmPayment };
  }

  it('charges the card and credits the account once the charge succeeds; a transient provider error is retried under the same attempt', async () => {
    const ok = await topUp('4242424242424242');
    expect(ok.created).toMatchObject({ kind: 'CARD', counterparty: { name: 'VISA •••• 4242' } });
    expect(ok.confirmed).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(ok.account)).toEqual({ posted: 60_00n, available: 60_00n });
    // Booked on the ledger as a card network books a funding transaction, with its merchant category code.
    const [hold] = await h.banking.dataSource.query(`SELECT metadata FROM banking.transfers WHERE caused_by = $1 AND phase = 'PENDING'`, [`payment:${ok.id}`]);
    expect(hold.metadata).toMatchObject({ mcc: '6012', channel: 'CARD' });

    const retried = await topUp('4000000000000119');
    expect(retried.confirmed).toMatchObject({ status: 'SUCCEEDED' });
    expect(await attemptsOf(retried.id)).toEqual([{ status: 'SUCCEEDED', tries: 2 }]);
    expect(await h.balance(retried.account)).toEqual({ posted: 60_00n, available: 60_00n });
  });

  it('fails a declined charge with the decline, crediting nothing, and finishes a pending one by webhook', async () => {
    const declined = await topUp('4000000000000002');
    expect(declined.confirmed).toMatchObject({ status: 'FAILED', failureCode: 'CARD_DECLINED' });
    expect(await h.balance(declined.account)).toEqual({ posted: 0n, available: 0n });
    const broke = await topUp('4000000000009995');
    expect(broke.confirmed).toMatchObject({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });

    const pending = await topUp('4000000000003220');
    expect(pending.confirmed.status).toBe('PROCESSING');
    // Credited but not yet available while the charge is pending.
    expect(await h.balance(pending.account)).toEqual({ posted: 0n, available: 0n });
    expect(await until(pending.me, pending.id, ['SUCCEEDED', 'FAILED'])).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(pending.account)).toEqual({ posted: 60_00n, available: 60_00n });
  });
});

describe('bill payments to saved billers', () => {
  async function bill(reference: string, amount = '75.40') {
    const me = await h.customer({ mfa: true });
    const from = await h.account(me, 'GBP', 200_00n);
    const biller = await h.gql(
      `mutation ($input: CreateBillerInput!) { createBiller(input: $input) { id name } }`,
      { input: { name: 'Thames Water', billerCode: 'THAMES01', reference } },
      me,
    );
    expect(biller.errors).toBeUndefined();
    const created = await h.gql(
      `mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id kind counterparty { name } } }`,
      { input: { kind: 'BILL', accountId: from, amount, currency: 'GBP', billerId: biller.data!.createBiller.id } },
      me,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createPayment.id as string;
    const confirmed = (await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { ${PAYMENT} } }`, { id }, me)).data!.confirmPayment;
    return { me, from, id, created: created.data!.createPayment, confirmed };
  }

  it('pays a biller with the saved reference through the provider, and fails one the provider refuses, releasing the hold', async () => {
    const paid = await bill('CUST-88231');
    expect(paid.created).toMatchObject({ kind: 'BILL', counterparty: { name: 'Thames Water' } });
    expect(paid.confirmed).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(paid.from)).toEqual({ posted: 124_60n, available: 124_60n });
    // The attempt records who was paid, never the reference itself.
    const [attempt] = await h.payments.dataSource.query(`SELECT request::text AS request FROM payments.provider_attempts WHERE payment_id = $1`, [paid.id]);
    expect(attempt.request).not.toContain('CUST-88231');

    const refused = await bill('CUST-0000');
    expect(refused.confirmed).toMatchObject({ status: 'FAILED', failureCode: 'INVALID_ACCOUNT' });
    expect(await h.balance(refused.from)).toEqual({ posted: 200_00n, available: 200_00n });
  });
});

describe('bad input to payments through the provider', () => {
  it('refuses an unknown or someone else\'s payee, biller or card, and a kind without its destination, writing nothing', async () => {
    const me = await h.customer({ mfa: true });
    const other = await h.customer({ mfa: true });
    const from = await h.account(me, 'GBP', 100_00n);
    const theirs = await h.gql(`mutation ($input: CreatePayeeInput!) { createPayee(input: $input) { id } }`, { input: { name: 'Not Mine', iban: 'GB82WEST12345698765432' } }, other);
    const create = async (input: Record<string, unknown>) =>
      (await h.gql(`mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, { input: { accountId: from, amount: '10.00', currency: 'GBP', ...input } }, me)).errors?.[0]?.extensions;
    expect(await create({ kind: 'PAYOUT', payeeId: randomUUID() })).toMatchObject({ code: 'NOT_FOUND', field: 'payeeId' });
    expect(await create({ kind: 'PAYOUT', payeeId: theirs.data!.createPayee.id })).toMatchObject({ code: 'NOT_FOUND', field: 'payeeId' });
    expect(await create({ kind: 'PAYOUT', payeeId: 'not-an-id' })).toMatchObject({ code: 'NOT_FOUND', field: 'payeeId' });
    expect(await create({ kind: 'BILL', billerId: randomUUID() })).toMatchObject({ code: 'NOT_FOUND', field: 'billerId' });
    expect(await create({ kind: 'CARD', cardId: randomUUID() })).toMatchObject({ code: 'NOT_FOUND', field: 'cardId' });
    expect(await create({ kind: 'PAYOUT' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'payeeId' });
    expect(await create({ kind: 'CARD', recipient: { email: other.email } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cardId' });
    const [{ n }] = await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payments.payments WHERE user_id = $1`, [me.id]);
    expect(n).toBe(0);
  });
});

describe('refunds left pending', () => {
  it('finishes a refund whose ledger answer was lost even when nobody asks again: the job queue looks later', async () => {
    const payer = await h.customer({ mfa: true });
    const payee = await h.customer({ mfa: true });
    const from = await h.account(payer, 'GBP', 100_00n);
    const to = await h.account(payee, 'GBP');
    const id = (await h.gql(`mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, { input: { kind: 'P2P', accountId: from, amount: '40.00', currency: 'GBP', recipient: { email: payee.email } } }, payer)).data!.createPayment.id;
    expect((await h.gql(`mutation ($id: ID!) { confirmPayment(id: $id) { status } }`, { id }, payer)).data!.confirmPayment.status).toBe('SUCCEEDED');
    h.faults.loseAnswers = 1_000;
    const lost = await h.gql(`mutation ($id: ID!) { refundPayment(id: $id, amount: "15.00") { status } }`, { id }, payee);
    h.faults.loseAnswers = 0;
    expect(lost.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    // No key, no retry from the app: the job finishes it.
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline) {
      [{ status }] = await h.payments.dataSource.query(`SELECT status FROM payments.payments WHERE id = $1`, [id]);
      if (status === 'PARTIALLY_REFUNDED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('PARTIALLY_REFUNDED');
    expect(await h.balance(to)).toEqual({ posted: 25_00n, available: 25_00n });
    expect(await h.balance(from)).toEqual({ posted: 75_00n, available: 75_00n });
  });
});
