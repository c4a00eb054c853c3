import { randomUUID } from 'node:crypto';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// Step-up in payments: a new payee and large payments need a second factor from the last five
// minutes (the token's amr and auth_time); a refusal changes nothing and is not kept as the
// idempotency key's answer, so the same request succeeds once the customer has stepped up.

let h: PaymentsHarness;
beforeAll(async () => {
  // Large first payments to someone new would be held for review; the fraud rules are not what is tested here.
  h = await startPayments({ fraudRules: { newPayeeFirstPaymentMaxMajor: 1_000_000n, unusualAmountFloorMajor: 1_000_000n } });
}, 120_000);
afterAll(() => h.close());

const CREATE = `mutation ($input: CreatePaymentInput!, $key: String) { createPayment(input: $input, idempotencyKey: $key) { id status } }`;
const CONFIRM = `mutation ($id: ID!, $key: String) { confirmPayment(id: $id, idempotencyKey: $key) { id status } }`;
const PAYEE = `mutation ($input: CreatePayeeInput!) { createPayee(input: $input) { id name } }`;
const SCHEDULE = `mutation ($input: CreateScheduledPaymentInput!) { createScheduledPayment(input: $input) { id } }`;

async function pair(funds: bigint) {
  const payer = await h.customer({ tier: 'TIER_2' });
  const payee = await h.customer();
  const from = await h.account(payer, 'GBP', funds);
  await h.account(payee, 'GBP');
  return { payer, payee, from };
}

const p2p = (payee: Customer, from: string, amount: string, extra: Record<string, unknown> = {}) => ({
  kind: 'P2P',
  currency: 'GBP',
  accountId: from,
  amount,
  recipient: { email: payee.email },
  ...extra,
});

const payments = async (userId: string) =>
  Number((await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payments.payments WHERE user_id = $1`, [userId]))[0].n);

describe('step-up in payments', () => {
  it('refuses a new payee without a recent second factor, and saves it with one', async () => {
    const me = await h.customer();
    const refused = await h.gql(PAYEE, { input: { name: 'Landlord Ltd', sortCode: '60-16-13', accountNumber: '31926819' } }, me);
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      maxAgeSeconds: 300,
      action: 'createPayee',
      methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'],
    });
    expect(refused.errors?.[0].message).toMatch(/stepUp/);
    expect(await h.payments.dataSource.query(`SELECT 1 FROM payments.payees WHERE user_id = $1`, [me.id])).toEqual([]);
    // A second factor given six minutes ago is too old.
    const stale = await h.gql(PAYEE, { input: { name: 'Landlord Ltd', sortCode: '60-16-13', accountNumber: '31926819' } }, await h.steppedUp(me, 360));
    expect(stale.errors?.[0].extensions?.code).toBe('STEP_UP_REQUIRED');
    const saved = await h.gql(PAYEE, { input: { name: 'Landlord Ltd', sortCode: '60-16-13', accountNumber: '31926819' } }, await h.steppedUp(me, 60));
    expect(saved.errors).toBeUndefined();
    expect(saved.data!.createPayee.name).toBe('Landlord Ltd');
  });

  it('asks for a step-up to confirm 1,000.00 or more, not below, and answers the same key once stepped up', async () => {
    const { payer, payee, from } = await pair(5_000_00n);
    const small = (await h.gql(CREATE, { input: p2p(payee, from, '999.99') }, payer)).data!.createPayment;
    expect((await h.gql(CONFIRM, { id: small.id }, payer)).data!.confirmPayment.status).toBe('SUCCEEDED');

    // Creating a large payment to confirm later needs nothing yet; confirming it does.
    const large = (await h.gql(CREATE, { input: p2p(payee, from, '1000.00') }, payer)).data!.createPayment;
    expect(large.status).toBe('REQUIRES_CONFIRMATION');
    const key = randomUUID();
    const refused = await h.gql(CONFIRM, { id: large.id, key }, payer);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', action: 'confirmPayment' });
    expect(await h.balance(from)).toEqual({ posted: 4_000_01n, available: 4_000_01n });
    const [row] = await h.payments.dataSource.query(`SELECT status FROM payments.payments WHERE id = $1`, [large.id]);
    expect(row.status).toBe('REQUIRES_CONFIRMATION');

    const confirmed = await h.gql(CONFIRM, { id: large.id, key }, await h.steppedUp(payer));
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data!.confirmPayment.status).toBe('SUCCEEDED');
    expect(await h.balance(from)).toEqual({ posted: 3_000_01n, available: 3_000_01n });
  });

  it('asks for a step-up to create and confirm a large payment at once, creating nothing when refused', async () => {
    const { payer, payee, from } = await pair(5_000_00n);
    const input = p2p(payee, from, '2500.00', { confirm: true });
    const key = randomUUID();
    const refused = await h.gql(CREATE, { input, key }, payer);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', action: 'createPayment' });
    expect(await payments(payer.id)).toBe(0);
    const paid = await h.gql(CREATE, { input, key }, await h.steppedUp(payer));
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.createPayment.status).toBe('SUCCEEDED');
  });

  it('asks for a step-up to schedule a large payment; its runs later need none', async () => {
    const { payer, payee, from } = await pair(5_000_00n);
    const input = {
      payment: p2p(payee, from, '1500.00'),
      schedule: { frequency: 'MONTHLY', dayOfMonth: 1, timeOfDay: '08:30', timeZone: 'Europe/London' },
    };
    expect((await h.gql(SCHEDULE, { input }, payer)).errors?.[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', action: 'createScheduledPayment' });
    expect((await h.gql(SCHEDULE, { input }, await h.steppedUp(payer))).errors).toBeUndefined();
  });
});
