import { randomUUID } from 'node:crypto';
import { seedDemoKyc } from '@meridian/kyc';
import { createMemoryEventBus, createOutboxRelay, pollUntil, useLogDestination, type DeliveredEvent } from '@meridian/platform';
import { startTestTelemetry, type TestTelemetry } from '@meridian/platform/testing';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startStack, type Stack } from '../helpers/stack';

// Tracing as the servers run it (the same instrumentations, sampler and masking), exported to
// memory. Every server of the stack runs in this one process under one SDK, so a span tells its
// server by the `meridian.server` attribute rather than by its resource's service name.

const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { email } }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken user { id } } }`;
const OPEN = `mutation O($input: OpenAccountInput!) { openAccount(input: $input) { id number } }`;
// The app's own transfer, showing whose account the money left: banking answers, identity adds the owner.
const MOVE = `mutation Move($input: OwnTransferInput!) {
  transferBetweenOwnAccounts(input: $input) { id status amount { amount currency } fromAccount { id owner { id status } } }
}`;

let telemetry: TestTelemetry;
let stack: Stack;
const logLines: string[] = [];
let restoreLogs: () => void;

beforeAll(async () => {
  telemetry = startTestTelemetry();
  restoreLogs = useLogDestination({ write: (line: string) => void logLines.push(line) });
  stack = await startStack({ LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await stack?.close();
  restoreLogs?.();
  await telemetry?.stop();
});

const server = (span: ReadableSpan) => span.attributes['meridian.server'];
const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** A customer with two GBP accounts, the first funded through the ledger. */
async function customer(displayName: string) {
  const email = `trace.${randomUUID()}@example.com`;
  const password = 'a long and unusual passphrase';
  const registered = await stack.call('mobile', REGISTER, { input: { email, password, displayName } });
  expect(registered.errors).toBeUndefined();
  const login = await stack.call('mobile', LOGIN, { input: { email, password, deviceId: 'trace-phone' } });
  const accessToken = login.data!.login.accessToken as string;
  const userId = login.data!.login.user.id as string;
  const open = async () => (await stack.call('mobile', OPEN, { input: { type: 'CURRENT', currency: 'GBP' } }, { accessToken })).data!.openAccount as { id: string; number: string };
  const [current, savings] = [await open(), await open()];
  await stack.deposit(current.id, 1_000_00n, { code: 'DEPOSIT' });
  return { email, password, displayName, accessToken, userId, current, savings };
}

/** The spans of the trace rooted at the mobile BFF's request, once that root has ended. */
async function mobileTrace(): Promise<ReadableSpan[]> {
  const root = await pollUntil(async () => telemetry.spans().find((s) => !s.parentSpanContext && server(s) === 'bff-mobile'), { everyMs: 20, forMs: 5_000 });
  if (!root) throw new Error(`no root span of the mobile BFF among ${telemetry.spans().length} spans`);
  const traceId = root.spanContext().traceId;
  return telemetry.spans().filter((s) => s.spanContext().traceId === traceId);
}

describe('tracing', () => {
  it('follows one mobile transfer as one trace: the BFF, the gateway’s fetches, banking and identity, down to the SQL', async () => {
    const who = await customer('Trace Walker');
    telemetry.reset();

    const moved = await stack.call('mobile', MOVE, { input: { transferId: randomUUID(), fromAccountId: who.current.id, toAccountId: who.savings.id, amount: '25.00' } }, { accessToken: who.accessToken });
    expect(moved.errors).toBeUndefined();
    expect(moved.data!.transferBetweenOwnAccounts).toMatchObject({ status: 'POSTED', fromAccount: { owner: { id: who.userId, status: 'ACTIVE' } } });

    const spans = await mobileTrace();
    // One root; every other span's parent is in the trace.
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    expect(spans.filter((s) => parentId(s) === undefined)).toHaveLength(1);
    expect(spans.filter((s) => parentId(s) !== undefined && !ids.has(parentId(s)!))).toEqual([]);

    // The BFF's pipeline steps, and the gateway's plan and fetches, in the BFF.
    const names = (where: string) => new Set(spans.filter((s) => server(s) === where).map((s) => s.name));
    const bff = names('bff-mobile');
    for (const name of ['bff.cost-limit', 'bff.rate-limits', 'gateway.request', 'gateway.fetch', 'subgraph.fetch banking', 'subgraph.fetch identity']) {
      expect(bff).toContain(name);
    }
    const cost = spans.find((s) => s.name === 'bff.cost-limit')!;
    expect(cost.attributes['meridian.cost.requested']).toBeGreaterThan(0);
    expect(spans.find((s) => s.name === 'bff.rate-limits')!.attributes).toMatchObject({ 'meridian.rate_limit.allowed': true, 'meridian.rate_limit.caller_class': 'customer' });

    // Each subgraph continued the trace from the fetch that called it: its server span is a child of the BFF's HTTP client span.
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    for (const subgraph of ['banking', 'identity']) {
      const entry = spans.find((s) => server(s) === subgraph && byId.get(parentId(s) ?? '') && server(byId.get(parentId(s)!)!) === 'bff-mobile');
      expect(entry).toBeDefined();
      expect(names(subgraph).size).toBeGreaterThan(1);
    }

    // The ledger's batch in banking, and its SQL statements under it.
    const batch = spans.find((s) => s.name === 'ledger.batch')!;
    expect(server(batch)).toBe('banking');
    expect(batch.attributes['meridian.batch.size']).toBeGreaterThanOrEqual(1);
    expect(spans.find((s) => s.name === 'ledger.transfer')!.attributes['meridian.group_commit.wait_ms']).toBeGreaterThanOrEqual(0);
    const sql = spans.filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-pg' && server(s) === 'banking');
    expect(sql.length).toBeGreaterThan(0);
    const underBatch = (span: ReadableSpan): boolean => {
      const parent = byId.get(parentId(span) ?? '');
      return parent !== undefined && (parent === batch || underBatch(parent));
    };
    expect(sql.filter(underBatch).map((s) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text']))).toEqual(
      expect.arrayContaining([expect.stringContaining('banking.postings')]),
    );
    // Identity's part reads its database too.
    expect(spans.some((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-pg' && server(s) === 'identity')).toBe(true);
    // On Redis (REDIS_URL), the BFF's rate limit is a command of the trace: its key, never a value.
    const redis = spans.filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-redis');
    if (process.env.REDIS_URL) {
      const limit = redis.find((s) => byId.get(parentId(s) ?? '')?.name === 'bff.rate-limits');
      expect(String(limit?.attributes['db.statement'] ?? limit?.attributes['db.query.text'])).toMatch(/^EVAL(?:SHA)? test:\S+ \[\d+ more\]$/);
    } else {
      expect(redis).toEqual([]);
    }
  });

  it('carries the trace through the outbox and the stream: the event’s consumer links back to the transfer', async () => {
    const who = await customer('Event Follower');
    telemetry.reset();
    const transferId = randomUUID();
    await stack.call('mobile', MOVE, { input: { transferId, fromAccountId: who.current.id, toAccountId: who.savings.id, amount: '2.00' } }, { accessToken: who.accessToken });
    const transferSpan = (await mobileTrace()).find((s) => s.name === 'ledger.transfer')!;

    // Banking's relay (its background worker is off in tests) publishing to a bus a consumer reads.
    const bus = createMemoryEventBus();
    const delivered: DeliveredEvent[] = [];
    const subscription = await bus.subscribe('ledger.events', 'trace-test', 'trace-test-1', async (event) => void delivered.push(event), { blockMs: 50 });
    const relay = createOutboxRelay({ dataSource: stack.banking.dataSource, table: 'banking.outbox', bus });
    try {
      await relay.drainOnce();
      const event = await pollUntil(async () => delivered.find((e) => e.payload.transferId === transferId), { everyMs: 20, forMs: 5_000 });
      expect(event!.traceparent).toBe(`00-${transferSpan.spanContext().traceId}-${transferSpan.spanContext().spanId}-01`);
      const consumed = await pollUntil(async () => telemetry.spans().find((s) => s.name === 'process ledger.events' && s.attributes['messaging.message.id'] === event!.id), { everyMs: 20, forMs: 5_000 });
      // A trace of its own, linked to the span that wrote the event.
      expect(consumed!.parentSpanContext).toBeUndefined();
      expect(consumed!.links.map((l) => l.context.spanId)).toEqual([transferSpan.spanContext().spanId]);
      expect(consumed!.attributes).toMatchObject({ 'messaging.destination.name': 'ledger.events', 'messaging.consumer.group.name': 'trace-test', 'meridian.event.type': 'ledger.transfer.posted' });
      const published = telemetry.spans().find((s) => s.name === 'outbox.publish')!;
      expect(published.links.map((l) => l.context.spanId)).toContain(transferSpan.spanContext().spanId);
    } finally {
      await subscription.close();
      await bus.close();
    }
  });

  it('writes the trace ids on every log line logged inside a span', async () => {
    const who = await customer('Log Reader');
    logLines.length = 0;
    telemetry.reset();
    await stack.call('mobile', MOVE, { input: { transferId: randomUUID(), fromAccountId: who.current.id, toAccountId: who.savings.id, amount: '1.00' } }, { accessToken: who.accessToken });
    const spans = await mobileTrace();
    const traceId = spans[0].spanContext().traceId;
    const completed = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request completed' && line.url === '/graphql');
    // The BFF's line and each subgraph's, every one in the request's trace.
    expect(completed.length).toBeGreaterThanOrEqual(3);
    for (const line of completed) expect(line).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('keeps emails, names, card and account numbers out of every span and log line', async () => {
    logLines.length = 0;
    telemetry.reset();
    const who = await customer('Zephyrine Okonkwo-Lindqvist');
    await seedDemoKyc(stack.kyc, who.userId);
    // A careless client puts values in the document itself rather than in variables.
    const inline = await stack.call('mobile', `mutation { login(input: { email: "${who.email}", password: "${who.password}", deviceId: "trace-phone" }) { accessToken } }`);
    expect(inline.errors).toBeUndefined();
    const moved = await stack.call('mobile', MOVE, { input: { transferId: randomUUID(), fromAccountId: who.current.id, toAccountId: who.savings.id, amount: '5.00' } }, { accessToken: who.accessToken });
    expect(moved.errors).toBeUndefined();

    const { accessToken } = await stack.stepUp(who.accessToken, who.email);
    const card = { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' };
    const added = await stack.call('mobile', `mutation C($input: AddCardInput!) { addCard(input: $input) { id last4 } }`, { input: card }, { accessToken });
    expect(added.data?.addCard).toMatchObject({ last4: '4242' });
    const payee = { name: 'Philippa Quartermaine', sortCode: '60-16-13', accountNumber: '31926819' };
    const saved = await stack.call('mobile', `mutation P($input: CreatePayeeInput!) { createPayee(input: $input) { id maskedAccount } }`, { input: payee }, { accessToken });
    expect(saved.errors).toBeUndefined();
    const paid = await stack.call(
      'mobile',
      `mutation Pay($input: CreatePaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) { id status } }`,
      { input: { kind: 'PAYOUT', accountId: who.current.id, amount: '12.00', currency: 'GBP', payeeId: saved.data!.createPayee.id, confirm: true }, key: randomUUID() },
      { accessToken },
    );
    expect(paid.errors).toBeUndefined();
    // A refusal that quotes a person's name: a recipient without an account is named in its message.
    const stranger = { email: `trace.${randomUUID()}@example.com`, displayName: 'Ottoline Vasquez-Brennan' };
    await stack.call('mobile', REGISTER, { input: { ...stranger, password: 'another long passphrase' } });
    const refused = await stack.call(
      'mobile',
      `mutation Pay($input: CreatePaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) { id } }`,
      { input: { kind: 'P2P', accountId: who.current.id, amount: '1.00', currency: 'GBP', recipient: { email: stranger.email } }, key: randomUUID() },
      { accessToken },
    );
    expect(refused.errors?.[0]?.message).toContain(stranger.displayName);

    // Let the requests' last spans end and their lines be written.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const spans = telemetry.spans();
    expect(spans.length).toBeGreaterThan(50);
    expect(logLines.length).toBeGreaterThan(10);
    const personal = [
      who.email,
      stranger.email,
      who.displayName,
      stranger.displayName,
      payee.name,
      card.number,
      card.number.replace(/ /g, ''),
      payee.accountNumber,
      who.current.number,
      who.savings.number,
    ];
    const exported = spans.map((span) =>
      JSON.stringify({ name: span.name, status: span.status, attributes: span.attributes, events: span.events, links: span.links.map((l) => l.attributes) }),
    );
    for (const value of personal) {
      expect(exported.filter((text) => text.includes(value))).toEqual([]);
      expect(logLines.filter((line) => line.includes(value))).toEqual([]);
    }
  });
});
