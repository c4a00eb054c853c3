import { randomUUID } from 'node:crypto';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// What Stripe promises: a request repeated with its idempotency key gets the first answer, errors
// included, however many copies arrive at once; the same key with other input is refused; a
// payment whose ledger call lost its answer is finished by the retry, never paid twice.

// Payers here act as after a recent step-up (`mfa`): payments of 1,000.00 or more need a second factor from the last 5 minutes.
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
}, 120_000);
afterAll(() => h.close());
afterEach(() => {
  h.faults.down = false;
  h.faults.loseAnswers = 0;
});

const CREATE = `mutation ($input: CreatePaymentInput!, $key: String) { createPayment(input: $input, idempotencyKey: $key) { id status } }`;
const CONFIRM = `mutation ($id: ID!, $key: String) { confirmPayment(id: $id, idempotencyKey: $key) { id status failureCode } }`;

async function pair(funds = 1_000_00n) {
  const payer = await h.customer({ mfa: true });
  const payee = await h.customer();
  const from = await h.account(payer, 'GBP', funds);
  const to = await h.account(payee, 'GBP');
  return { payer, payee, from, to };
}

const create = (as: Customer, payee: Customer, from: string, amount: string, key?: string) =>
  h.gql(CREATE, { input: { kind: 'P2P', currency: 'GBP', accountId: from, amount, recipient: { email: payee.email } }, key }, as);

const ledgerTransfersOf = async (paymentId: string) =>
  Number((await h.banking.dataSource.query(`SELECT count(*) AS n FROM banking.transfers WHERE caused_by = $1`, [`payment:${paymentId}`]))[0].n);

describe('idempotency keys', () => {
  it('turns 20 concurrent identical creates and then 20 concurrent confirms, each with one key, into one payment and one movement of money', async () => {
    const { payer, payee, from, to } = await pair();
    const createKey = randomUUID();
    const created = await Promise.all(Array.from({ length: 20 }, () => create(payer, payee, from, '12.34', createKey)));
    expect(created.flatMap((r) => r.errors ?? [])).toEqual([]);
    const ids = new Set(created.map((r) => r.data!.createPayment.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(Number((await h.payments.dataSource.query(`SELECT count(*) AS n FROM payments.payments WHERE user_id = $1`, [payer.id]))[0].n)).toBe(1);

    const confirmKey = randomUUID();
    const confirmed = await Promise.all(Array.from({ length: 20 }, () => h.gql(CONFIRM, { id, key: confirmKey }, payer)));
    expect(confirmed.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(new Set(confirmed.map((r) => JSON.stringify(r.data)))).toEqual(new Set([JSON.stringify({ confirmPayment: { id, status: 'SUCCEEDED', failureCode: null } })]));
    expect(await h.balance(from)).toEqual({ posted: 987_66n, available: 987_66n });
    expect(await h.balance(to)).toEqual({ posted: 12_34n, available: 12_34n });
    // The hold and its post: one movement of money.
    expect(await ledgerTransfersOf(id!)).toBe(1);
  });

  it('answers a replay with the first answer, errors included, takes the key from the Idempotency-Key header too, and refuses it with other input', async () => {
    const { payer, payee, from } = await pair(10_00n);
    const key = randomUUID();
    const first = await h.gql(CREATE, { input: { kind: 'P2P', currency: 'GBP', accountId: from, amount: '5000.00', recipient: { email: payee.email } } }, payer, { 'idempotency-key': key });
    const id = first.data!.createPayment.id;
    const replay = await h.gql(CREATE, { input: { kind: 'P2P', currency: 'GBP', accountId: from, amount: '5000.00', recipient: { email: payee.email } } }, payer, { 'idempotency-key': key });
    expect(replay.data).toEqual(first.data);
    const reused = await create(payer, payee, from, '5001.00', key);
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });

    // A refusal is an answer too: over the tier's per-payment limit, then replayed after the limit would no longer apply is still refused.
    const confirmKey = randomUUID();
    const refused = await h.gql(CONFIRM, { id, key: confirmKey }, payer);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'PER_PAYMENT', limit: '1000.00' });
    await h.payments.tiers.apply(h.payments.dataSource, payer.id, 'TIER_2', new Date());
    const replayed = await h.gql(CONFIRM, { id, key: confirmKey }, payer);
    expect(replayed.errors).toEqual(refused.errors);
    // A new key is a new request: tier 2 allows it, and the account is too small.
    const fresh = await h.gql(CONFIRM, { id, key: randomUUID() }, payer);
    expect(fresh.data!.confirmPayment).toMatchObject({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
    // Keys belong to their user: another customer may use the same key for their own request.
    const other = await pair();
    expect((await create(other.payer, other.payee, other.from, '1.00', key)).errors).toBeUndefined();
    // A key longer than 255 characters is refused.
    expect((await create(payer, payee, from, '1.00', 'k'.repeat(256))).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
  });
});

describe('faults between payments and the ledger', () => {
  it('finishes a payment whose ledger answers were lost after banking acted: the retry with the same key answers SUCCEEDED and the money moved once', async () => {
    const { payer, payee, from, to } = await pair(100_00n);
    const id = (await create(payer, payee, from, '30.00')).data!.createPayment.id;
    const key = randomUUID();
    // Every answer from banking is lost (the hold is placed, the post too, but payments never hears).
    h.faults.loseAnswers = 1_000;
    const lost = await h.gql(CONFIRM, { id, key }, payer);
    expect(lost.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const [{ status }] = await h.payments.dataSource.query(`SELECT status FROM payments.payments WHERE id = $1`, [id]);
    expect(status).toBe('PROCESSING');
    h.faults.loseAnswers = 0;
    const retried = await h.gql(CONFIRM, { id, key }, payer);
    expect(retried.data!.confirmPayment).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.balance(from)).toEqual({ posted: 70_00n, available: 70_00n });
    expect(await h.balance(to)).toEqual({ posted: 30_00n, available: 30_00n });
    expect(await ledgerTransfersOf(id)).toBe(1);
  });

  it('leaves a payment PROCESSING while banking is down, moving nothing, and finishes it once banking is back', async () => {
    const { payer, payee, from, to } = await pair(100_00n);
    const id = (await create(payer, payee, from, '10.00')).data!.createPayment.id;
    h.faults.down = true;
    const key = randomUUID();
    expect((await h.gql(CONFIRM, { id, key }, payer)).errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await h.balance(from)).toEqual({ posted: 100_00n, available: 100_00n });
    h.faults.down = false;
    expect((await h.gql(CONFIRM, { id, key }, payer)).data!.confirmPayment.status).toBe('SUCCEEDED');
    expect(await h.balance(to)).toEqual({ posted: 10_00n, available: 10_00n });
  });
});

describe('limits under concurrency', () => {
  it('never lets concurrent payments pass the daily limit together', async () => {
    const { payer, payee, from } = await pair(10_000_00n);
    // Tier 1: 1,000 a payment, 2,500 a day. Ten payments of 400 at once: six fit.
    const ids = await Promise.all(Array.from({ length: 10 }, async () => (await create(payer, payee, from, '400.00')).data!.createPayment.id as string));
    const results = await Promise.all(ids.map((id) => h.gql(CONFIRM, { id }, payer)));
    const succeeded = results.filter((r) => r.data?.confirmPayment?.status === 'SUCCEEDED');
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'LIMIT_EXCEEDED');
    expect(succeeded).toHaveLength(6);
    expect(refused).toHaveLength(4);
    expect(refused[0].errors![0].extensions).toMatchObject({ reason: 'DAILY', limit: '2500.00' });
    expect(await h.balance(from)).toEqual({ posted: 7_600_00n, available: 7_600_00n });
    const limits = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { paymentLimits { usedToday { amount } remainingToday { amount } nextPaymentMax { amount } } } } }`, { id: payer.id }, payer);
    expect(limits.data!._entities[0].paymentLimits).toEqual({ usedToday: { amount: '2400.00' }, remainingToday: { amount: '100.00' }, nextPaymentMax: { amount: '100.00' } });
  });
});

describe('created and confirmed in one request (confirm: true)', () => {
  const PAY = `mutation ($input: CreatePaymentInput!, $key: String) {
    createPayment(input: $input, idempotencyKey: $key) { id status failureCode reviewReasons history { from to } }
  }`;
  const pay = (as: Customer, payee: Customer, from: string, amount: string, key?: string, confirm: boolean | null = true) =>
    h.gql(PAY, { input: { kind: 'P2P', currency: 'GBP', accountId: from, amount, recipient: { email: payee.email }, confirm }, key }, as);
  const paymentsOf = async (userId: string) =>
    Number((await h.payments.dataSource.query(`SELECT count(*) AS n FROM payments.payments WHERE user_id = $1`, [userId]))[0].n);

  it('moves the money in one request, and 20 concurrent copies with one key make one payment and one movement of money', async () => {
    const { payer, payee, from, to } = await pair(100_00n);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => pay(payer, payee, from, '12.50', key)));
    expect(answers.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(new Set(answers.map((r) => JSON.stringify(r.data))).size).toBe(1);
    const payment = answers[0].data!.createPayment;
    expect(payment).toMatchObject({ status: 'SUCCEEDED', failureCode: null });
    expect(payment.history).toEqual([
      { from: null, to: 'REQUIRES_CONFIRMATION' },
      { from: 'REQUIRES_CONFIRMATION', to: 'PROCESSING' },
      { from: 'PROCESSING', to: 'SUCCEEDED' },
    ]);
    expect(await paymentsOf(payer.id)).toBe(1);
    expect(await ledgerTransfersOf(payment.id)).toBe(1);
    expect(await h.balance(from)).toEqual({ posted: 87_50n, available: 87_50n });
    expect(await h.balance(to)).toEqual({ posted: 12_50n, available: 12_50n });
    // One succeeded event, written with the step that reported it.
    const events = await h.payments.dataSource.query(`SELECT event_type FROM payments.outbox WHERE aggregate_id = $1`, [payment.id]);
    expect(events).toEqual([{ event_type: 'payment.succeeded' }]);
    // `confirm: false` is a different request under the same key.
    expect((await pay(payer, payee, from, '12.50', key, false)).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('creates nothing when the limits refuse it, answers the refusal to a replay, and fails a payment the account cannot fund', async () => {
    const { payer, payee, from } = await pair(10_000_00n);
    const key = randomUUID();
    // Tier 1 allows 1,000 a payment.
    const refused = await pay(payer, payee, from, '1500.00', key);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'PER_PAYMENT' });
    expect(await paymentsOf(payer.id)).toBe(0);
    expect((await pay(payer, payee, from, '1500.00', key)).errors).toEqual(refused.errors);
    const usage = await h.payments.dataSource.query(`SELECT coalesce(sum(used), 0)::text AS used FROM payments.limit_usage WHERE user_id = $1`, [payer.id]);
    expect(usage).toEqual([{ used: '0' }]);

    const poor = await pair(5_00n);
    const failed = await pay(poor.payer, poor.payee, poor.from, '9.00');
    expect(failed.data!.createPayment).toMatchObject({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
    expect(await h.balance(poor.from)).toEqual({ posted: 5_00n, available: 5_00n });
    const released = await h.payments.dataSource.query(`SELECT coalesce(sum(used), 0)::text AS used FROM payments.limit_usage WHERE user_id = $1`, [poor.payer.id]);
    expect(released).toEqual([{ used: '0' }]);
  });

  it('finishes with the same key a payment whose ledger answers were lost', async () => {
    const { payer, payee, from, to } = await pair(100_00n);
    const key = randomUUID();
    h.faults.loseAnswers = 1_000;
    expect((await pay(payer, payee, from, '30.00', key)).errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    h.faults.loseAnswers = 0;
    const retried = await pay(payer, payee, from, '30.00', key);
    expect(retried.data!.createPayment).toMatchObject({ status: 'SUCCEEDED' });
    expect(await paymentsOf(payer.id)).toBe(1);
    expect(await ledgerTransfersOf(retried.data!.createPayment.id)).toBe(1);
    expect(await h.balance(to)).toEqual({ posted: 30_00n, available: 30_00n });
  });

  it('never lets concurrent one-request payments pass the daily limit together', async () => {
    const { payer, payee, from } = await pair(10_000_00n);
    const results = await Promise.all(Array.from({ length: 10 }, () => pay(payer, payee, from, '400.00')));
    expect(results.filter((r) => r.data?.createPayment?.status === 'SUCCEEDED')).toHaveLength(6);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'LIMIT_EXCEEDED')).toHaveLength(4);
    expect(await paymentsOf(payer.id)).toBe(6);
    expect(await h.balance(from)).toEqual({ posted: 7_600_00n, available: 7_600_00n });
  });
});
