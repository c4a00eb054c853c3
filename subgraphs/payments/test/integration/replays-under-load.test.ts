import { randomUUID } from 'node:crypto';
import { startPayments, type PaymentsHarness } from '../helpers/payments-harness';

// Replays by idempotency key while other payments run at once and some are refused (by funds,
// by a limit): every copy of a request gets the first answer, errors included, and the money
// moved is exactly what the successful answers say.

// Payers here act as after a recent step-up (`mfa`): payments of 1,000.00 or more need a second factor from the last 5 minutes.
let h: PaymentsHarness;
beforeAll(async () => {
  // Twelve payments in a minute from one payer are the point here, not a fraud signal.
  h = await startPayments({ fraudRules: { velocityMaxPayments: 100 } });
}, 120_000);
afterAll(() => h.close());

const CREATE = `mutation ($input: CreatePaymentInput!, $key: String) { createPayment(input: $input, idempotencyKey: $key) { id status } }`;
const CONFIRM = `mutation ($id: ID!, $key: String) { confirmPayment(id: $id, idempotencyKey: $key) { id status failureCode } }`;

describe('replays under concurrency with refusals', () => {
  it('answers every replay of a confirmation as first answered while others succeed, fail for funds or exceed a limit', async () => {
    const payer = await h.customer({ tier: 'TIER_1', mfa: true });
    const payee = await h.customer();
    const from = await h.account(payer, 'GBP', 1_500_00n);
    const to = await h.account(payee, 'GBP');
    // Ten of 400.00 (the account funds three) and two of 1,100.00 (over tier 1's 1,000.00 a payment).
    const amounts = [...Array.from({ length: 10 }, () => '400.00'), '1100.00', '1100.00'];
    const payments = await Promise.all(
      amounts.map(async (amount) => {
        const created = await h.gql(CREATE, { input: { kind: 'P2P', accountId: from, amount, currency: 'GBP', recipient: { email: payee.email } }, key: randomUUID() }, payer);
        expect(created.errors).toBeUndefined();
        return { id: created.data!.createPayment.id as string, key: randomUUID() };
      }),
    );
    // Each confirmation sent three times at once, all twelve together.
    const answers = await Promise.all(payments.map((p) => Promise.all([0, 1, 2].map(() => h.gql(CONFIRM, { id: p.id, key: p.key }, payer)))));
    // And once more after everything settled.
    const later = await Promise.all(payments.map((p) => h.gql(CONFIRM, { id: p.id, key: p.key }, payer)));
    for (const [i, copies] of answers.entries()) {
      for (const copy of [...copies, later[i]]) expect(copy).toEqual(copies[0]);
    }
    const outcome = (r: (typeof later)[number]) => r.data?.confirmPayment?.failureCode ?? r.data?.confirmPayment?.status ?? r.errors?.[0]?.extensions?.code;
    const tally = later.map(outcome).reduce<Record<string, number>>((t, o) => ({ ...t, [o]: (t[o] ?? 0) + 1 }), {});
    // Three fit the funds. The others fail for funds or, while payments still in flight count against the
    // day's 2,500.00, are refused by the daily limit; which of the two depends on the interleaving.
    expect(tally.SUCCEEDED).toBe(3);
    expect((tally.INSUFFICIENT_FUNDS ?? 0) + (tally.LIMIT_EXCEEDED ?? 0)).toBe(9);
    for (const i of [10, 11]) expect(later[i].errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'PER_PAYMENT', limit: '1000.00' });
    for (const r of later.slice(0, 10).filter((r) => r.errors)) expect(r.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'DAILY', limit: '2500.00' });
    // The money moved is what the successful answers say, once each.
    expect(await h.balance(from)).toEqual({ posted: 300_00n, available: 300_00n });
    expect(await h.balance(to)).toEqual({ posted: 1_200_00n, available: 1_200_00n });
    const succeeded = payments.filter((_, i) => outcome(later[i]) === 'SUCCEEDED').map((p) => `payment:${p.id}`);
    const holds = await h.banking.dataSource.query(`SELECT caused_by, status FROM banking.transfers WHERE caused_by = ANY($1::text[])`, [payments.map((p) => `payment:${p.id}`)]);
    expect(holds.map((t: { caused_by: string }) => t.caused_by).sort()).toEqual(succeeded.sort());
    expect(new Set(holds.map((t: { status: string }) => t.status))).toEqual(new Set(['POSTED']));
    // The limit counts only what went through.
    const limits = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { paymentLimits { usedToday { amount } } } } }`, { id: payer.id }, payer);
    expect(limits.data!._entities[0].paymentLimits.usedToday.amount).toBe('1200.00');
  });

  it('answers every replay of a one-request payment (confirm: true) as first answered while others succeed, fail for funds or exceed a limit', async () => {
    const PAY = `mutation ($input: CreatePaymentInput!, $key: String) { createPayment(input: $input, idempotencyKey: $key) { id status failureCode } }`;
    const payer = await h.customer({ tier: 'TIER_1', mfa: true });
    const payee = await h.customer();
    const from = await h.account(payer, 'GBP', 1_500_00n);
    const to = await h.account(payee, 'GBP');
    const requests = [...Array.from({ length: 10 }, () => '400.00'), '1100.00', '1100.00'].map((amount) => ({
      key: randomUUID(),
      input: { kind: 'P2P', accountId: from, amount, currency: 'GBP', recipient: { email: payee.email }, confirm: true },
    }));
    // Each payment sent three times at once, all twelve together, then once more after everything settled.
    const answers = await Promise.all(requests.map((r) => Promise.all([0, 1, 2].map(() => h.gql(PAY, r, payer)))));
    const later = await Promise.all(requests.map((r) => h.gql(PAY, r, payer)));
    for (const [i, copies] of answers.entries()) {
      for (const copy of [...copies, later[i]]) expect(copy).toEqual(copies[0]);
    }
    const outcome = (r: (typeof later)[number]) => r.data?.createPayment?.failureCode ?? r.data?.createPayment?.status ?? r.errors?.[0]?.extensions?.code;
    const tally = later.map(outcome).reduce<Record<string, number>>((t, o) => ({ ...t, [o]: (t[o] ?? 0) + 1 }), {});
    expect(tally.SUCCEEDED).toBe(3);
    expect((tally.INSUFFICIENT_FUNDS ?? 0) + (tally.LIMIT_EXCEEDED ?? 0)).toBe(9);
    for (const i of [10, 11]) expect(later[i].errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'PER_PAYMENT', limit: '1000.00' });
    // One payment per answered payment (a refusal by a limit creates none), one hold per success, money moved once.
    const made = later.filter((r) => r.data).map((r) => r.data!.createPayment.id as string);
    const [{ n }] = await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payments.payments WHERE user_id = $1`, [payer.id]);
    expect(n).toBe(made.length);
    expect(await h.balance(from)).toEqual({ posted: 300_00n, available: 300_00n });
    expect(await h.balance(to)).toEqual({ posted: 1_200_00n, available: 1_200_00n });
    const succeeded = later.filter((r) => outcome(r) === 'SUCCEEDED').map((r) => `payment:${r.data!.createPayment.id}`);
    const holds = await h.banking.dataSource.query(`SELECT caused_by, status FROM banking.transfers WHERE caused_by = ANY($1::text[])`, [made.map((id) => `payment:${id}`)]);
    expect(holds.map((t: { caused_by: string }) => t.caused_by).sort()).toEqual(succeeded.sort());
    expect(new Set(holds.map((t: { status: string }) => t.status))).toEqual(new Set(['POSTED']));
    const limits = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { paymentLimits { usedToday { amount } } } } }`, { id: payer.id }, payer);
    expect(limits.data!._entities[0].paymentLimits.usedToday.amount).toBe('1200.00');
  });
});
