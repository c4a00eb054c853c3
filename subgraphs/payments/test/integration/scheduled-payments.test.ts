import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// Scheduled and recurring payments: each run is a job on the durable queue, made once however
// many replicas work the queue and whenever the server that scheduled it stopped.

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
}, 120_000);
afterAll(() => h.close());

const SCHEDULED = `id status frequency kind amount { amount currency } counterparty { name } timeZone timeOfDay nextRunAt runs lastOutcome lastPayment { id status }`;
const CREATE = `mutation ($input: CreateScheduledPaymentInput!) { createScheduledPayment(input: $input) { ${SCHEDULED} } }`;

async function pair() {
  const payer = await h.customer();
  const payee = await h.customer();
  const from = await h.account(payer, 'GBP', 1_000_00n);
  const to = await h.account(payee, 'GBP');
  return { payer, payee, from, to };
}

const weekly = (payer: Customer, payee: Customer, from: string, extra: Record<string, unknown> = {}) =>
  h.gql(
    CREATE,
    {
      input: {
        payment: { kind: 'P2P', accountId: from, amount: '15.00', currency: 'GBP', recipient: { email: payee.email }, description: 'Pocket money' },
        schedule: { frequency: 'WEEKLY', dayOfWeek: 'FRIDAY', timeOfDay: '08:30', timeZone: 'Europe/London', ...extra },
      },
    },
    payer,
  );

const jobsOf = async (scheduleId: string) =>
  (await h.payments.dataSource.query(
    `SELECT state, data->>'runAt' AS run_at FROM payments_jobs.job WHERE name = 'payments.run-scheduled' AND data->>'scheduleId' = $1 ORDER BY start_after`,
    [scheduleId],
  )) as { state: string; run_at: string }[];

describe('scheduled payments', () => {
  it('schedules a weekly payment at a local time, with its first run on the job queue', async () => {
    const { payer, payee, from } = await pair();
    const res = await weekly(payer, payee, from);
    expect(res.errors).toBeUndefined();
    const s = res.data!.createScheduledPayment;
    expect(s).toMatchObject({ status: 'ACTIVE', frequency: 'WEEKLY', kind: 'P2P', amount: { amount: '15.00', currency: 'GBP' }, timeZone: 'Europe/London', timeOfDay: '08:30', runs: 0, lastOutcome: null });
    const next = new Date(s.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    // 08:30 in London on a Friday.
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('Friday 08:30');
    expect(await jobsOf(s.id)).toEqual([{ state: 'created', run_at: next.toISOString() }]);
    const listed = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { scheduledPayments { id } } } }`, { id: payer.id }, payer);
    expect(listed.data!._entities[0].scheduledPayments).toEqual([{ id: s.id }]);
  });

  it('runs each due run once, even when it is run twice at once, and schedules the next', async () => {
    const { payer, payee, from, to } = await pair();
    const s = (await weekly(payer, payee, from)).data!.createScheduledPayment;
    const runAt = new Date(s.nextRunAt);
    await Promise.all([h.payments.scheduled.run(s.id, runAt), h.payments.scheduled.run(s.id, runAt)]);
    expect(await h.balance(to)).toEqual({ posted: 15_00n, available: 15_00n });
    const after = (await h.payments.scheduled.get(s.id))!;
    expect(after).toMatchObject({ runs: 1, lastOutcome: 'SUCCEEDED', status: 'ACTIVE' });
    expect(after.nextRunAt!.getTime() - runAt.getTime()).toBeGreaterThanOrEqual(7 * 24 * 3600_000 - 3600_000);
    // The same run again does nothing.
    await h.payments.scheduled.run(s.id, runAt);
    expect(await h.balance(to)).toEqual({ posted: 15_00n, available: 15_00n });
    const payments = await h.payments.dataSource.query(`SELECT status FROM payments.payments WHERE scheduled_payment_id = $1`, [s.id]);
    expect(payments).toEqual([{ status: 'SUCCEEDED' }]);
  });

  it('records a run that cannot pay and goes on; stops when canceled; completes after its count', async () => {
    const { payer, payee, from } = await pair();
    const s = (await weekly(payer, payee, from, { count: 2 })).data!.createScheduledPayment;
    // The payer's limits are gone by the first run.
    await h.payments.tiers.apply(h.payments.dataSource, payer.id, 'TIER_0', new Date());
    await h.payments.scheduled.run(s.id, new Date(s.nextRunAt));
    let now = (await h.payments.scheduled.get(s.id))!;
    expect(now).toMatchObject({ runs: 1, lastOutcome: 'REFUSED:FORBIDDEN', status: 'ACTIVE' });
    await h.payments.tiers.apply(h.payments.dataSource, payer.id, 'TIER_1', new Date());
    await h.payments.scheduled.run(s.id, now.nextRunAt!);
    now = (await h.payments.scheduled.get(s.id))!;
    expect(now).toMatchObject({ runs: 2, lastOutcome: 'SUCCEEDED', status: 'COMPLETED', nextRunAt: null });

    const other = (await weekly(payer, payee, from)).data!.createScheduledPayment;
    const canceled = await h.gql(`mutation ($id: ID!) { cancelScheduledPayment(id: $id) { status nextRunAt } }`, { id: other.id }, payer);
    expect(canceled.data!.cancelScheduledPayment).toEqual({ status: 'CANCELED', nextRunAt: null });
    await h.payments.scheduled.run(other.id, new Date(other.nextRunAt));
    expect((await h.payments.scheduled.get(other.id))!.runs).toBe(0);
    expect((await h.gql(`mutation ($id: ID!) { cancelScheduledPayment(id: $id) { status } }`, { id: other.id }, payer)).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'CANCELED' });
    const stranger = await h.customer();
    expect((await h.gql(`mutation ($id: ID!) { cancelScheduledPayment(id: $id) { status } }`, { id: s.id }, stranger)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a bad schedule or payment with a clear code, scheduling nothing', async () => {
    const { payer, payee, from } = await pair();
    const bad = async (schedule: Record<string, unknown>, payment: Record<string, unknown> = {}) =>
      (
        await h.gql(
          CREATE,
          { input: { payment: { kind: 'P2P', accountId: from, amount: '5.00', currency: 'GBP', recipient: { email: payee.email }, ...payment }, schedule: { timeZone: 'Europe/London', ...schedule } } },
          payer,
        )
      ).errors?.[0]?.extensions;
    expect(await bad({ frequency: 'ONCE', date: '2020-01-01' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'date' });
    expect(await bad({ frequency: 'ONCE' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'date' });
    expect(await bad({ frequency: 'WEEKLY' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dayOfWeek' });
    expect(await bad({ frequency: 'MONTHLY', dayOfMonth: 32 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dayOfMonth' });
    expect(await bad({ frequency: 'MONTHLY', dayOfMonth: 1, timeZone: 'BST' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    expect(await bad({ frequency: 'MONTHLY', dayOfMonth: 1 }, { amount: '0' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(await bad({ frequency: 'MONTHLY', dayOfMonth: 1 }, { recipient: { email: 'nobody@example.com' } })).toMatchObject({ code: 'NOT_FOUND', field: 'recipient' });
    const [{ n }] = await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payments.scheduled_payments WHERE user_id = $1`, [payer.id]);
    expect(n).toBe(0);
  });

  it('runs a due run once with two replicas working the queue, after the server that scheduled it stopped working', async () => {
    const { payer, payee, from, to } = await pair();
    const s = (await weekly(payer, payee, from)).data!.createScheduledPayment;
    // The queue's clock is moved on instead of waiting for Friday: the job becomes due now.
    await h.payments.dataSource.query(`UPDATE payments_jobs.job SET start_after = now() WHERE name = 'payments.run-scheduled' AND data->>'scheduleId' = $1`, [s.id]);
    await Promise.all([h.replica(), h.replica()]);
    const deadline = Date.now() + 30_000;
    while ((await h.payments.scheduled.get(s.id))!.runs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await h.payments.scheduled.get(s.id)).toMatchObject({ runs: 1, lastOutcome: 'SUCCEEDED' });
    expect(await h.balance(to)).toEqual({ posted: 15_00n, available: 15_00n });
    // The next run is queued once, for a week later. The run is recorded before the queue marks its job
    // completed, so the job may still read `active` for a moment.
    let jobs = await jobsOf(s.id);
    while (jobs.some((j) => j.state === 'active') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      jobs = await jobsOf(s.id);
    }
    expect(jobs.map((j) => j.state)).toEqual(['completed', 'created']);
  });
});
