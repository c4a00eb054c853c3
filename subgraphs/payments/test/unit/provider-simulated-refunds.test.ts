import { generateWebhookSecret, signWebhook, type WebhookDelivery } from '@meridian/platform';
import { createTestKeyValueStore } from '@meridian/platform/testing';
import { ProviderTimeoutError, type PayoutRequest, type RefundRequest } from '../../src/providers/payment-provider';
import { ProviderWebhookError, parseProviderWebhook, serializeProviderWebhookEvent } from '../../src/providers/provider-webhook';
import { SIMULATED_CARDS, createSimulatedPaymentProvider, simulatedProviderRef } from '../../src/providers/simulated-provider';

// The simulated provider's refunds of charges and returns of payouts, by the rules of its tables.

const NOW = new Date('2026-06-01T12:00:00Z');
const SECRET = generateWebhookSecret();
const DELAY_MS = 5;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A provider over a fresh test store (Redis when REDIS_URL is set), a movable clock and a recording `deliver`. */
async function simulated() {
  const store = await createTestKeyValueStore();
  cleanups.push(() => store.close());
  const clock = { now: NOW };
  const deliveries: WebhookDelivery[] = [];
  const provider = createSimulatedPaymentProvider({
    store,
    secret: SECRET,
    delayMs: DELAY_MS,
    retry: { attempts: 2, baseMs: 1 },
    now: () => clock.now,
    deliver: async (delivery) => {
      deliveries.push(delivery);
      return { status: 200 };
    },
  });
  cleanups.push(() => provider.stop());
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  const events = () => deliveries.map((d) => parseProviderWebhook(d.headers, d.body, [SECRET], clock.now).event);
  /** Charges 100.00 on a card and answers the charge's reference. */
  const charged = async (pan: string = SIMULATED_CARDS.visa, attemptId = 'att_charge_1') => {
    const { token } = await provider.tokenizeCard({ pan, expMonth: 12, expYear: 2030, cvc: '123' });
    return (await provider.charge({ attemptId, cardToken: token, amount: 100_00n, currency: 'GBP', description: 'Top-up' })).providerRef;
  };
  const settled = async () => {
    while (provider.pending() > 0) await new Promise((r) => setTimeout(r, 1));
  };
  return { provider, deliveries, events, advance, charged, settled };
}

const refund = (charge: string, overrides: Partial<RefundRequest> = {}): RefundRequest => ({ attemptId: 'att_refund_1', charge, amount: 30_00n, currency: 'GBP', reason: 'requested', ...overrides });
const payout = (overrides: Partial<PayoutRequest> = {}): PayoutRequest => ({
  attemptId: 'att_payout_1',
  destination: { kind: 'UK', sortCode: '12-34-56', accountNumber: '12345678' },
  name: 'Jane Doe',
  amount: 100_00n,
  currency: 'GBP',
  reference: 'Rent',
  ...overrides,
});

describe('refund', () => {
  it('refunds a charge named by its reference or its attemptId, replays a repeat, and never refunds more than is left', async () => {
    const { provider, charged } = await simulated();
    const chargeRef = await charged();
    const first = await provider.refund(refund(chargeRef));
    expect(first).toEqual({ status: 'SUCCEEDED', providerRef: simulatedProviderRef('REFUND', 'att_refund_1') });
    expect(first.providerRef).toMatch(/^re_sim_/);
    await expect(provider.refund(refund(chargeRef))).resolves.toEqual(first);
    await expect(provider.retrieve('att_refund_1')).resolves.toEqual(first);
    await expect(provider.refund(refund('att_charge_1', { attemptId: 'att_refund_2', amount: 60_00n }))).resolves.toMatchObject({ status: 'SUCCEEDED' });
    // 90.00 of 100.00 refunded: 10.01 is too much, and nothing is recorded for it.
    await expect(provider.refund(refund(chargeRef, { attemptId: 'att_refund_3', amount: 10_01n }))).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', reason: 'REFUND_EXCEEDS_CHARGE', field: 'amount' },
    });
    await expect(provider.retrieve('att_refund_3')).resolves.toBeNull();
    await expect(provider.refund(refund(chargeRef, { attemptId: 'att_refund_3', amount: 10_00n }))).resolves.toMatchObject({ status: 'SUCCEEDED' });
  });

  it('lets at most what was charged through when refunds race', async () => {
    const { provider, charged } = await simulated();
    const chargeRef = await charged();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => provider.refund(refund(chargeRef, { attemptId: `att_race_${i}` }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.extensions.reason)).toEqual(Array(5).fill('REFUND_EXCEEDS_CHARGE'));
  });

  it('declines an amount ending in 66, which leaves what is left as it was', async () => {
    const { provider, charged } = await simulated();
    const chargeRef = await charged();
    await expect(provider.refund(refund(chargeRef, { amount: 20_66n }))).resolves.toMatchObject({ status: 'DECLINED', declineCode: 'expired_or_canceled_card', message: expect.any(String) });
    await expect(provider.refund(refund(chargeRef, { attemptId: 'att_refund_2', amount: 100_00n }))).resolves.toMatchObject({ status: 'SUCCEEDED' });
  });

  it('times out an amount ending in 14 before receiving it, the first time per attemptId', async () => {
    const { provider, charged } = await simulated();
    const chargeRef = await charged();
    await expect(provider.refund(refund(chargeRef, { amount: 10_14n }))).rejects.toBeInstanceOf(ProviderTimeoutError);
    await expect(provider.retrieve('att_refund_1')).resolves.toBeNull();
    await expect(provider.refund(refund(chargeRef, { amount: 10_14n }))).resolves.toMatchObject({ status: 'SUCCEEDED' });
  });

  it('refuses a charge it did not make or that was declined', async () => {
    const { provider, charged } = await simulated();
    await expect(provider.refund(refund('ch_sim_unknown'))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'CHARGE_UNKNOWN' } });
    const declinedRef = await charged(SIMULATED_CARDS.declined);
    await expect(provider.refund(refund(declinedRef))).rejects.toMatchObject({ extensions: { reason: 'CHARGE_UNKNOWN' } });
  });

  it('answers a refund of a charge on the pending card PENDING, then sends a signed refund.succeeded webhook', async () => {
    const { provider, charged, events, advance, settled } = await simulated();
    const chargeRef = await charged(SIMULATED_CARDS.pending);
    // The charge itself settles first.
    await expect(provider.refund(refund(chargeRef))).rejects.toMatchObject({ extensions: { reason: 'CHARGE_UNKNOWN' } });
    advance(DELAY_MS);
    await settled();
    const providerRef = simulatedProviderRef('REFUND', 'att_refund_1');
    await expect(provider.refund(refund(chargeRef))).resolves.toEqual({ status: 'PENDING', providerRef });
    await settled();
    expect(events().at(-1)).toEqual({
      type: 'refund.succeeded',
      data: { kind: 'REFUND', attemptId: 'att_refund_1', providerRef, status: 'SUCCEEDED', amount: 30_00n, currency: 'GBP', sequence: 2, occurredAt: new Date(NOW.getTime() + 2 * DELAY_MS).toISOString() },
    });
    advance(DELAY_MS);
    await expect(provider.retrieve('att_refund_1')).resolves.toEqual({ status: 'SUCCEEDED', providerRef });
  });
});

describe('payout returns', () => {
  it('pays an amount ending in 55 and then sends a payout.returned webhook for all of it', async () => {
    const { provider, events, settled } = await simulated();
    const providerRef = simulatedProviderRef('PAYOUT', 'att_payout_1');
    await expect(provider.payout(payout({ amount: 80_55n }))).resolves.toEqual({ status: 'SUCCEEDED', providerRef });
    await settled();
    expect(events()).toEqual([
      {
        type: 'payout.returned',
        data: { kind: 'PAYOUT', attemptId: 'att_payout_1', providerRef, amount: 80_55n, currency: 'GBP', returnCode: 'account_closed', sequence: 2, occurredAt: new Date(NOW.getTime() + DELAY_MS).toISOString() },
      },
    ]);
    await expect(provider.returnPayout('att_payout_1')).rejects.toMatchObject({ extensions: { code: 'CONFLICT', reason: 'PAYOUT_ALREADY_RETURNED' } });
  });

  it('returns a paid payout on demand, in part, once; a payout not paid yet or unknown cannot be returned', async () => {
    const { provider, events, advance, settled } = await simulated();
    await provider.payout(payout());
    await expect(provider.returnPayout('att_payout_1', { amount: 100_01n })).rejects.toMatchObject({ extensions: { reason: 'RETURN_EXCEEDS_PAYOUT' } });
    await provider.returnPayout('att_payout_1', { amount: 40_00n, code: 'no_account', delayMs: 0 });
    await expect(provider.returnPayout('att_payout_1')).rejects.toMatchObject({ extensions: { reason: 'PAYOUT_ALREADY_RETURNED' } });
    await settled();
    expect(events()).toEqual([{ type: 'payout.returned', data: expect.objectContaining({ amount: 40_00n, returnCode: 'no_account', sequence: 2 }) }]);

    await expect(provider.returnPayout('att_unknown')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'PAYOUT_UNKNOWN' } });
    // A payout answered PENDING is returned only once it settled, as its third state.
    await provider.payout(payout({ attemptId: 'att_payout_2', amount: 50_77n }));
    await expect(provider.returnPayout('att_payout_2')).rejects.toMatchObject({ extensions: { reason: 'PAYOUT_UNKNOWN' } });
    advance(DELAY_MS);
    await provider.returnPayout('att_payout_2', { delayMs: 0 });
    await settled();
    expect(events().filter((e) => e.data.attemptId === 'att_payout_2').map((e) => [e.type, e.data.sequence])).toEqual(
      expect.arrayContaining([
        ['payment.succeeded', 2],
        ['payout.returned', 3],
      ]),
    );
  });
});

describe('refund and return webhooks on the wire', () => {
  const signed = (body: string) => ({ headers: signWebhook(SECRET, { id: 'msg_1', timestamp: NOW, body }) as unknown as Record<string, string>, body });
  const base = { attemptId: 'att_1', providerRef: 're_sim_1', amount: 1_00n, currency: 'GBP' as const, sequence: 2, occurredAt: NOW.toISOString() };

  it('reads a refund failure and a payout return back', () => {
    const failed = serializeProviderWebhookEvent({ type: 'refund.failed', data: { ...base, kind: 'REFUND', status: 'DECLINED', declineCode: 'expired_or_canceled_card' } });
    expect(parseProviderWebhook(signed(failed).headers, failed, [SECRET], NOW).event).toMatchObject({ type: 'refund.failed', data: { kind: 'REFUND', amount: 1_00n } });
    const returned = serializeProviderWebhookEvent({ type: 'payout.returned', data: { ...base, kind: 'PAYOUT', returnCode: 'account_frozen' } });
    expect(parseProviderWebhook(signed(returned).headers, returned, [SECRET], NOW).event).toMatchObject({ type: 'payout.returned', data: { returnCode: 'account_frozen' } });
  });

  it.each([
    ['a payment event of kind REFUND', JSON.stringify({ type: 'payment.succeeded', data: { ...base, amount: '100', kind: 'REFUND', status: 'SUCCEEDED' } }), 'data.kind'],
    ['a refund event of kind CHARGE', JSON.stringify({ type: 'refund.succeeded', data: { ...base, amount: '100', kind: 'CHARGE', status: 'SUCCEEDED' } }), 'data.kind'],
    ['a return without a return code', JSON.stringify({ type: 'payout.returned', data: { ...base, amount: '100', kind: 'PAYOUT' } }), 'data.returnCode'],
    ['a return with an unknown return code', JSON.stringify({ type: 'payout.returned', data: { ...base, amount: '100', kind: 'PAYOUT', returnCode: 'lost' } }), 'data.returnCode'],
  ])('refuses %s, naming the field', (_case, body, field) => {
    const { headers } = signed(body);
    let error: unknown;
    try {
      parseProviderWebhook(headers, body, [SECRET], NOW);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProviderWebhookError);
    expect((error as ProviderWebhookError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'WEBHOOK_EVENT_INVALID', field });
  });
});
