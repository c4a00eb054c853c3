import { DomainError, createMemoryKeyValueStore, generateWebhookSecret, type KeyValueStore, type WebhookDelivery } from '@meridian/platform';
import { createTestKeyValueStore } from '@meridian/platform/testing';
import {
  AttemptIdReusedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  type ChargeRequest,
  type PayoutRequest,
  type ProviderResult,
} from '../../src/providers/payment-provider';
import { parseProviderWebhook } from '../../src/providers/provider-webhook';
import {
  SIMULATED_CARDS,
  createSimulatedPaymentProvider,
  simulatedProviderRef,
  type SimulatedPaymentProvider,
  type SimulatedPaymentProviderOptions,
} from '../../src/providers/simulated-provider';

const NOW = new Date('2026-06-01T12:00:00Z');
const SECRET = generateWebhookSecret();
const DELAY_MS = 5;
const IBAN = 'GB82WEST12345698765432';
/** A valid IBAN (check digits and all) whose last four digits are 0000. */
const IBAN_0000 = 'GB38WEST12345612340000';

/** A store that records what is written and which keys were claimed, around the test's own store. */
function spyStore(inner: KeyValueStore) {
  const claimed: string[] = [];
  const written: string[] = [];
  const store: KeyValueStore = {
    ...inner,
    async set(key, value, ttlMs) {
      written.push(value);
      return inner.set(key, value, ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      const set = await inner.setIfAbsent(key, value, ttlMs);
      if (set) {
        claimed.push(key);
        written.push(value);
      }
      return set;
    },
  };
  return { store, written, attemptsRecorded: () => claimed.filter((key) => key.includes(':attempt:')).length };
}

/** Waits (up to two seconds) for `condition`; the limit only stops a broken test from hanging. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Condition not met within 2 s.');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('Expected a rejection.');
    },
    (reason: unknown) => reason,
  );
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A provider over a fresh test store (Redis when REDIS_URL is set), a movable clock and a recording `deliver` answering `statuses` in turn, then 200. */
async function simulated({ statuses: answers = [], shared, ...options }: Partial<SimulatedPaymentProviderOptions> & { statuses?: number[]; shared?: KeyValueStore } = {}) {
  const inner = shared ?? (await createTestKeyValueStore());
  if (!shared) cleanups.push(() => inner.close());
  const spy = spyStore(inner);
  const clock = { now: NOW };
  const deliveries: WebhookDelivery[] = [];
  const statuses = [...answers];
  const warn = jest.fn<void, [object, string]>();
  const provider = createSimulatedPaymentProvider({
    store: spy.store,
    secret: SECRET,
    delayMs: DELAY_MS,
    retry: { attempts: 3, baseMs: 1 },
    logger: { warn },
    now: () => clock.now,
    deliver: async (delivery) => {
      deliveries.push(delivery);
      return { status: statuses.shift() ?? 200 };
    },
    ...options,
  });
  cleanups.push(() => provider.stop());
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  const events = () => deliveries.map((delivery) => parseProviderWebhook(delivery.headers, delivery.body, [SECRET], clock.now));
  return { provider, deliveries, events, warn, advance, written: spy.written, attemptsRecorded: spy.attemptsRecorded };
}

async function tokenOf(provider: SimulatedPaymentProvider, pan: string): Promise<string> {
  return (await provider.tokenizeCard({ pan, expMonth: 12, expYear: 2030, cvc: pan.startsWith('3') ? '1234' : '123' })).token;
}

function charge(cardToken: string, overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return { attemptId: 'att_charge_1', cardToken, amount: 2500n, currency: 'GBP', description: 'Top-up', ...overrides };
}

function payout(overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  return {
    attemptId: 'att_payout_1',
    destination: { kind: 'IBAN', iban: IBAN },
    name: 'Jane Doe',
    amount: 1000n,
    currency: 'GBP',
    reference: 'Rent June',
    ...overrides,
  };
}

describe('tokenizeCard', () => {
  it('returns brand, last four digits, expiry and a fingerprint, and never the number, not even to the store', async () => {
    const { provider, written } = await simulated();
    const card = await provider.tokenizeCard({ pan: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' });
    expect(card).toEqual({ token: expect.stringMatching(/^tok_sim_[0-9a-f]{24}$/), brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030, fingerprint: expect.any(String) });
    expect(JSON.stringify(card)).not.toContain('4242424242424242');
    expect(written.length).toBeGreaterThan(0);
    for (const value of written) expect(value).not.toContain('4242424242424242');
  });

  it('gives one card the same fingerprint under new tokens, and another card another fingerprint', async () => {
    const { provider } = await simulated();
    const tokenize = (pan: string) => provider.tokenizeCard({ pan, expMonth: 1, expYear: 2031, cvc: '999' });
    const [first, second, other] = [await tokenize(SIMULATED_CARDS.visa), await tokenize(SIMULATED_CARDS.visa), await tokenize(SIMULATED_CARDS.mastercard)];
    expect(second.token).not.toBe(first.token);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(other.fingerprint).not.toBe(first.fingerprint);
    expect(other.brand).toBe('mastercard');
  });
});

describe('charge: test cards', () => {
  it.each<{ pan: string; outcome: string; expected: Partial<ProviderResult> }>([
    { pan: SIMULATED_CARDS.visa, outcome: 'SUCCEEDED', expected: { status: 'SUCCEEDED' } },
    { pan: SIMULATED_CARDS.mastercard, outcome: 'SUCCEEDED', expected: { status: 'SUCCEEDED' } },
    { pan: '378282246310005', outcome: 'SUCCEEDED (any other valid card)', expected: { status: 'SUCCEEDED' } },
    { pan: SIMULATED_CARDS.declined, outcome: 'DECLINED card_declined', expected: { status: 'DECLINED', declineCode: 'card_declined' } },
    { pan: SIMULATED_CARDS.insufficientFunds, outcome: 'DECLINED insufficient_funds', expected: { status: 'DECLINED', declineCode: 'insufficient_funds' } },
    { pan: SIMULATED_CARDS.expired, outcome: 'DECLINED expired_card', expected: { status: 'DECLINED', declineCode: 'expired_card' } },
  ])('card $pan → $outcome at once, with no webhook', async ({ pan, expected }) => {
    const { provider, attemptsRecorded } = await simulated();
    const result = await provider.charge(charge(await tokenOf(provider, pan)));
    expect(result).toMatchObject({ ...expected, providerRef: simulatedProviderRef('CHARGE', 'att_charge_1') });
    if (result.status === 'DECLINED') expect(result.message).toEqual(expect.any(String));
    else expect(result).toEqual({ status: 'SUCCEEDED', providerRef: result.providerRef });
    expect(attemptsRecorded()).toBe(1);
    expect(provider.pending()).toBe(0);
    await expect(provider.retrieve('att_charge_1')).resolves.toEqual(result);
  });

  it('4000000000000119 is unavailable the first time per attemptId, records nothing, and succeeds on the retry', async () => {
    const { provider, attemptsRecorded } = await simulated();
    const token = await tokenOf(provider, SIMULATED_CARDS.unavailableOnce);
    const error = await rejectionOf(provider.charge(charge(token)));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ attemptId: 'att_charge_1', extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'PROVIDER_UNAVAILABLE' } });
    await expect(provider.retrieve('att_charge_1')).resolves.toBeNull();
    expect(attemptsRecorded()).toBe(0);

    await expect(provider.charge(charge(token))).resolves.toMatchObject({ status: 'SUCCEEDED' });
    await expect(provider.charge(charge(token))).resolves.toMatchObject({ status: 'SUCCEEDED' });
    expect(attemptsRecorded()).toBe(1);
    await expect(provider.charge(charge(token, { attemptId: 'att_charge_2' }))).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('4000000000003220 answers PENDING, then sends a signed payment.succeeded webhook after delayMs', async () => {
    const { provider, deliveries, events, advance } = await simulated();
    const token = await tokenOf(provider, SIMULATED_CARDS.pending);
    const providerRef = simulatedProviderRef('CHARGE', 'att_charge_1');
    await expect(provider.charge(charge(token))).resolves.toEqual({ status: 'PENDING', providerRef });
    expect(deliveries).toHaveLength(0);
    expect(provider.pending()).toBe(1);
    await expect(provider.retrieve('att_charge_1')).resolves.toEqual({ status: 'PENDING', providerRef });

    await waitUntil(() => provider.pending() === 0);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].headers['content-type']).toBe('application/json');
    const [{ webhookId, event }] = events();
    expect(webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(event).toEqual({
      type: 'payment.succeeded',
      data: {
        kind: 'CHARGE',
        attemptId: 'att_charge_1',
        providerRef,
        status: 'SUCCEEDED',
        amount: 2500n,
        currency: 'GBP',
        sequence: 2,
        occurredAt: new Date(NOW.getTime() + DELAY_MS).toISOString(),
      },
    });

    // Settled at occurredAt on the provider's clock; a repeat still replays the first answer.
    advance(DELAY_MS);
    await expect(provider.retrieve('att_charge_1')).resolves.toEqual({ status: 'SUCCEEDED', providerRef });
    await expect(provider.charge(charge(token))).resolves.toEqual({ status: 'PENDING', providerRef });
  });

  it('refuses an unknown token with BAD_USER_INPUT and records nothing', async () => {
    const { provider, attemptsRecorded } = await simulated();
    const error = await rejectionOf(provider.charge(charge('tok_sim_unknown')));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'CARD_TOKEN_UNKNOWN', field: 'cardToken' } });
    expect(attemptsRecorded()).toBe(0);
  });
});

describe('payout: amount and account rules', () => {
  it.each<[string, string, Partial<PayoutRequest>, Partial<ProviderResult>]>([
    ['an ordinary amount to an IBAN', 'SUCCEEDED', {}, { status: 'SUCCEEDED' }],
    ['an ordinary amount to a UK account', 'SUCCEEDED', { destination: { kind: 'UK', sortCode: '12-34-56', accountNumber: '12345678' } }, { status: 'SUCCEEDED' }],
    ['an amount ending in 12', 'SUCCEEDED', { amount: 1012n }, { status: 'SUCCEEDED' }],
    ['an IBAN ending in 0000', 'DECLINED invalid_account', { destination: { kind: 'IBAN', iban: IBAN_0000 } }, { status: 'DECLINED', declineCode: 'invalid_account' }],
    ['a UK account ending in 0000', 'DECLINED invalid_account', { destination: { kind: 'UK', sortCode: '123456', accountNumber: '12340000' } }, { status: 'DECLINED', declineCode: 'invalid_account' }],
    ['an account ending in 0000 with an amount ending in 13', 'DECLINED invalid_account, the account rule first', { destination: { kind: 'IBAN', iban: IBAN_0000 }, amount: 1013n }, { status: 'DECLINED', declineCode: 'invalid_account' }],
  ])('%s → %s at once', async (_name, _outcome, overrides, expected) => {
    const { provider } = await simulated();
    const result = await provider.payout(payout(overrides));
    expect(result).toMatchObject({ ...expected, providerRef: simulatedProviderRef('PAYOUT', 'att_payout_1') });
    expect(provider.pending()).toBe(0);
  });

  it('an amount ending in 13 is recorded SUCCEEDED but the call times out; retrieve and a repeat answer SUCCEEDED', async () => {
    const { provider, attemptsRecorded } = await simulated();
    const error = await rejectionOf(provider.payout(payout({ amount: 1013n })));
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toMatchObject({ attemptId: 'att_payout_1', extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'PROVIDER_TIMEOUT' } });
    const expected = { status: 'SUCCEEDED', providerRef: simulatedProviderRef('PAYOUT', 'att_payout_1') };
    await expect(provider.retrieve('att_payout_1')).resolves.toEqual(expected);
    await expect(provider.payout(payout({ amount: 1013n }))).resolves.toEqual(expected);
    expect(attemptsRecorded()).toBe(1);
  });

  it('an amount ending in 14 times out before the provider received it: retrieve answers null, and a resend is processed', async () => {
    const { provider, attemptsRecorded } = await simulated();
    await expect(provider.payout(payout({ amount: 1014n }))).rejects.toBeInstanceOf(ProviderTimeoutError);
    await expect(provider.retrieve('att_payout_1')).resolves.toBeNull();
    expect(attemptsRecorded()).toBe(0);

    await expect(provider.payout(payout({ amount: 1014n }))).resolves.toMatchObject({ status: 'SUCCEEDED' });
    await expect(provider.retrieve('att_payout_1')).resolves.toMatchObject({ status: 'SUCCEEDED' });
    expect(attemptsRecorded()).toBe(1);
  });

  it('an amount ending in 66 answers PENDING, then a payment.failed webhook with account_closed', async () => {
    const { provider, events, advance } = await simulated();
    const providerRef = simulatedProviderRef('PAYOUT', 'att_payout_1');
    await expect(provider.payout(payout({ amount: 1066n }))).resolves.toEqual({ status: 'PENDING', providerRef });
    await waitUntil(() => provider.pending() === 0);
    const [{ event }] = events();
    expect(event).toEqual({
      type: 'payment.failed',
      data: expect.objectContaining({ kind: 'PAYOUT', attemptId: 'att_payout_1', providerRef, status: 'DECLINED', declineCode: 'account_closed', amount: 1066n, sequence: 2 }),
    });
    advance(DELAY_MS);
    await expect(provider.retrieve('att_payout_1')).resolves.toMatchObject({ status: 'DECLINED', declineCode: 'account_closed', providerRef });
  });

  it('an amount ending in 77 answers PENDING, then a payment.succeeded webhook', async () => {
    const { provider, events } = await simulated();
    await expect(provider.payout(payout({ amount: 1077n, currency: 'EUR' }))).resolves.toMatchObject({ status: 'PENDING' });
    await waitUntil(() => provider.pending() === 0);
    const [{ event }] = events();
    expect(event).toMatchObject({ type: 'payment.succeeded', data: { kind: 'PAYOUT', status: 'SUCCEEDED', amount: 1077n, currency: 'EUR' } });
  });
});

describe('idempotency by attemptId', () => {
  it('answers a repeated charge from what was recorded, recording one charge', async () => {
    const { provider, attemptsRecorded } = await simulated();
    const token = await tokenOf(provider, SIMULATED_CARDS.declined);
    const first = await provider.charge(charge(token));
    expect(await provider.charge(charge(token))).toEqual(first);
    expect(attemptsRecorded()).toBe(1);
  });

  it('treats spellings of one destination as one request', async () => {
    const { provider, attemptsRecorded } = await simulated();
    const first = await provider.payout(payout({ destination: { kind: 'UK', sortCode: '12-34-56', accountNumber: '12345678' } }));
    const again = await provider.payout(payout({ destination: { kind: 'UK', sortCode: '123456', accountNumber: '12345678' }, name: ' Jane Doe ' }));
    expect(again).toEqual(first);
    const ibanFirst = await provider.payout(payout({ attemptId: 'att_payout_2' }));
    expect(await provider.payout(payout({ attemptId: 'att_payout_2', destination: { kind: 'IBAN', iban: 'gb82 west 1234 5698 7654 32' } }))).toEqual(ibanFirst);
    expect(attemptsRecorded()).toBe(2);
  });

  it.each<[string, Partial<ChargeRequest>]>([
    ['amount', { amount: 2501n }],
    ['currency', { currency: 'EUR' }],
    ['description', { description: 'Something else' }],
  ])('refuses the same attemptId with another %s, keeping the first attempt', async (_field, change) => {
    const { provider } = await simulated();
    const token = await tokenOf(provider, SIMULATED_CARDS.visa);
    const first = await provider.charge(charge(token));
    const error = await rejectionOf(provider.charge(charge(token, change)));
    expect(error).toBeInstanceOf(AttemptIdReusedError);
    expect(error).toMatchObject({ extensions: { code: 'IDEMPOTENCY_KEY_REUSED', reason: 'ATTEMPT_ID_REUSED' } });
    await expect(provider.retrieve('att_charge_1')).resolves.toEqual(first);
  });

  it('refuses a charge attemptId reused for a payout', async () => {
    const { provider } = await simulated();
    await provider.charge(charge(await tokenOf(provider, SIMULATED_CARDS.visa), { attemptId: 'att_shared' }));
    await expect(provider.payout(payout({ attemptId: 'att_shared' }))).rejects.toBeInstanceOf(AttemptIdReusedError);
  });

  it('records one attempt and sends one webhook when calls with one attemptId race', async () => {
    const { provider, deliveries, attemptsRecorded } = await simulated();
    const token = await tokenOf(provider, SIMULATED_CARDS.pending);
    const results = await Promise.all(Array.from({ length: 10 }, () => provider.charge(charge(token))));
    expect(new Set(results.map((result) => JSON.stringify(result)))).toEqual(new Set([JSON.stringify({ status: 'PENDING', providerRef: simulatedProviderRef('CHARGE', 'att_charge_1') })]));
    expect(attemptsRecorded()).toBe(1);
    await waitUntil(() => provider.pending() === 0);
    expect(deliveries).toHaveLength(1);
  });

  it('records one attempt when two replicas on one store race, and either answers for it afterwards', async () => {
    const shared = await createTestKeyValueStore();
    cleanups.push(() => shared.close());
    const [a, b] = [await simulated({ shared }), await simulated({ shared })];
    const results = await Promise.all([a.provider.payout(payout({ amount: 1077n })), b.provider.payout(payout({ amount: 1077n }))]);
    expect(results[1]).toEqual(results[0]);
    expect(a.attemptsRecorded() + b.attemptsRecorded()).toBe(1);
    await waitUntil(() => a.provider.pending() + b.provider.pending() === 0);
    expect(a.deliveries.length + b.deliveries.length).toBe(1);
    await expect(b.provider.retrieve('att_payout_1')).resolves.toEqual(await a.provider.retrieve('att_payout_1'));
  });

  it('lets exactly one of two different requests racing with one attemptId through', async () => {
    const { provider, attemptsRecorded } = await simulated();
    const settled = await Promise.allSettled([provider.payout(payout({ amount: 1000n })), provider.payout(payout({ amount: 2000n }))]);
    expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const [refused] = settled.filter((outcome) => outcome.status === 'rejected');
    expect(refused.reason).toBeInstanceOf(AttemptIdReusedError);
    expect(attemptsRecorded()).toBe(1);
  });

  it('keeps attempts and tokens across a restart on the same store', async () => {
    const shared = await createTestKeyValueStore();
    cleanups.push(() => shared.close());
    const before = await simulated({ shared });
    const token = await tokenOf(before.provider, SIMULATED_CARDS.visa);
    const first = await before.provider.charge(charge(token));
    await before.provider.stop();
    const after = await simulated({ shared });
    await expect(after.provider.retrieve('att_charge_1')).resolves.toEqual(first);
    await expect(after.provider.charge(charge(token))).resolves.toEqual(first);
    await expect(after.provider.charge(charge(token, { attemptId: 'att_charge_2' }))).resolves.toMatchObject({ status: 'SUCCEEDED' });
    expect(after.attemptsRecorded()).toBe(1);
  });
});

describe('webhook delivery', () => {
  it('retries after a 500 under the same webhook-id and event', async () => {
    const { provider, deliveries, events, warn } = await simulated({ statuses: [500] });
    await provider.payout(payout({ amount: 1077n }));
    await waitUntil(() => provider.pending() === 0);
    expect(deliveries).toHaveLength(2);
    const [first, second] = events();
    expect(second.webhookId).toBe(first.webhookId);
    expect(second.event).toEqual(first.event);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({ attemptId: 'att_payout_1', webhookId: first.webhookId, attempt: 1 });
  });

  it('retries when deliver throws, and gives up after the last attempt with a warning', async () => {
    let calls = 0;
    const { provider, warn } = await simulated({
      deliver: async () => {
        calls += 1;
        throw new TypeError('socket hang up');
      },
    });
    await provider.payout(payout({ amount: 1077n }));
    await waitUntil(() => provider.pending() === 0);
    expect(calls).toBe(3);
    expect(warn.mock.calls.at(-1)).toEqual([expect.objectContaining({ attempts: 3, err: expect.stringContaining('socket hang up') }), expect.stringMatching(/given up/)]);
  });

  it('stop() cancels scheduled webhooks and refuses further calls as unavailable', async () => {
    const { provider, deliveries } = await simulated();
    await provider.payout(payout({ amount: 1077n }));
    await provider.stop();
    expect(provider.pending()).toBe(0);
    // Ten times the delay: a timer that stop() missed would have fired by now.
    await new Promise((resolve) => setTimeout(resolve, 10 * DELAY_MS));
    expect(deliveries).toHaveLength(0);
    await expect(provider.payout(payout({ attemptId: 'att_payout_2' }))).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.retrieve('att_payout_1')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('stop() ends a retry backoff without another attempt or a give-up warning', async () => {
    const { provider, deliveries, warn } = await simulated({ statuses: [500], retry: { attempts: 2, baseMs: 60_000 } });
    await provider.payout(payout({ amount: 1077n }));
    await waitUntil(() => deliveries.length === 1);
    await provider.stop();
    expect(provider.pending()).toBe(0);
    expect(deliveries).toHaveLength(1);
    expect(warn.mock.calls.map(([, message]) => message)).not.toContainEqual(expect.stringMatching(/given up/));
  });
});

describe('timers', () => {
  afterEach(() => jest.useRealTimers());

  it('stop() leaves no timer behind, neither a scheduled webhook nor a retry backoff', async () => {
    // Fake timers count every timer, unref'd ones included; the memory store keeps this test off Redis.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const store = createMemoryKeyValueStore();
    const baseline = jest.getTimerCount();
    const statuses = [500];
    const provider = createSimulatedPaymentProvider({
      store,
      secret: SECRET,
      delayMs: 1000,
      retry: { attempts: 5, baseMs: 60_000 },
      now: () => NOW,
      deliver: async () => ({ status: statuses.shift() ?? 200 }),
    });
    await provider.payout(payout({ amount: 1077n }));
    await provider.payout(payout({ attemptId: 'att_payout_2', amount: 2077n }));
    expect(jest.getTimerCount()).toBe(baseline + 2);

    // Both fire; the first delivery fails and waits in a backoff, the second is delivered.
    await jest.advanceTimersByTimeAsync(1000);
    expect(provider.pending()).toBe(1);
    expect(jest.getTimerCount()).toBe(baseline + 1);

    await provider.stop();
    expect(provider.pending()).toBe(0);
    expect(jest.getTimerCount()).toBe(baseline);
    await store.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
