import { randomUUID } from 'node:crypto';
import { startPayments, type PaymentsHarness } from '../helpers/payments-harness';

// Payments keeps each customer's KYC tier from kyc.tier.changed (consumer group payments-tiers on
// kyc.events): the latest change wins whatever the order of delivery, a repeat changes nothing,
// and a malformed event is refused (the bus retries it, then parks it).

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ workers: true });
}, 120_000);
afterAll(() => h.close());

const tierOf = async (userId: string) =>
  ((await h.payments.dataSource.query(`SELECT tier FROM payments.customer_tiers WHERE user_id = $1`, [userId])) as { tier: string }[])[0]?.tier;

const changed = (userId: string, to: string, changedAt: Date) => ({
  id: randomUUID(),
  type: 'kyc.tier.changed',
  payload: { userId, from: 'TIER_0', to, caseId: randomUUID(), reason: 'APPROVED', changedAt: changedAt.toISOString() },
  occurredAt: changedAt,
});

async function until(read: () => Promise<unknown>, wanted: unknown, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await read()) === wanted) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the KYC tier projection', () => {
  it('follows kyc.tier.changed on the bus, keeping the latest change whatever the order of delivery', async () => {
    const userId = randomUUID();
    const t0 = new Date(Date.now() - 60_000);
    await h.eventBus.publish('kyc.events', changed(userId, 'TIER_2', new Date(t0.getTime() + 2_000)));
    await until(() => tierOf(userId), 'TIER_2');
    expect(await tierOf(userId)).toBe('TIER_2');
    // An older change delivered late leaves the newer tier.
    await h.eventBus.publish('kyc.events', changed(userId, 'TIER_1', t0));
    const marker = randomUUID();
    await h.eventBus.publish('kyc.events', changed(marker, 'TIER_1', new Date()));
    await until(() => tierOf(marker), 'TIER_1');
    expect(await tierOf(userId)).toBe('TIER_2');
    // A newer one wins, and a repeat of it changes nothing.
    const newer = changed(userId, 'TIER_0', new Date());
    expect(await h.payments.tiers.apply(h.payments.dataSource, userId, 'TIER_0', new Date(newer.payload.changedAt))).toBe(true);
    expect(await h.payments.tiers.apply(h.payments.dataSource, userId, 'TIER_0', new Date(newer.payload.changedAt))).toBe(false);
    expect(await tierOf(userId)).toBe('TIER_0');
  });

  it('refuses a malformed event and ignores other event types on the stream', async () => {
    const delivery = { stream: 'kyc.events', entryId: '1-0', attempt: 1 };
    await expect(h.payments.tiers.handle({ ...changed(randomUUID(), 'TIER_9', new Date()), ...delivery })).rejects.toThrow(/malformed/);
    await expect(h.payments.tiers.handle({ id: randomUUID(), type: 'kyc.case.opened', payload: {}, occurredAt: new Date(), ...delivery })).resolves.toBeUndefined();
  });

  it('asks KYC for a customer it has not heard of yet, and remembers the answer', async () => {
    const payer = await h.customer({ tier: 'TIER_1' });
    const stranger = randomUUID();
    // The harness's KYC answers TIER_0 for anyone it does not know.
    expect(await h.payments.tiers.tierOf(h.payments.dataSource, stranger)).toBe('TIER_0');
    expect(await tierOf(stranger)).toBe('TIER_0');
    expect(await h.payments.tiers.tierOf(h.payments.dataSource, payer.id)).toBe('TIER_1');
  });
});
