import { createMemoryEventBus, type DeliveredEvent } from '@meridian/platform';
import { KYC_EVENTS_TOPIC, TIER_CHANGED } from '../../src';
import type { CheckRequest, VerificationProvider } from '../../src/providers';
import { createDocumentRetentionWorker } from '../../src/services/retention';
import { prepareCase, startKyc, SUBMIT, type KycHarness } from '../helpers/kyc-harness';

// The background work, run the way the server runs it: the outbox reaches the bus, the
// dispatcher gets checks to a provider that failed at first, retention deletes images only.

const bus = createMemoryEventBus();
const received: DeliveredEvent[] = [];

let h: KycHarness;
beforeAll(async () => {
  await bus.subscribe(KYC_EVENTS_TOPIC, 'payments', 'test', async (event) => void received.push(event), { startAt: 'beginning' });
  h = await startKyc({ KYC_WORKERS: 'true' }, { eventBus: bus });
});
afterAll(async () => {
  await h?.close();
  await bus.close();
});

describe('kyc workers', () => {
  it('publishes kyc.tier.changed through the outbox relay', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1');
    await h.gql(SUBMIT, { id: caseId }, { user });
    await h.waitForCase(caseId, ['APPROVED']);
    const deadline = Date.now() + 10_000;
    while (!received.some((e) => e.payload.userId === user.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const event = received.find((e) => e.payload.userId === user.id);
    expect(event).toMatchObject({ type: TIER_CHANGED, payload: { userId: user.id, from: 'TIER_0', to: 'TIER_1', caseId } });
    // The relay marks the row published when its transaction commits, just after the publish.
    let row: { id: string; published_at: Date | null } | undefined;
    while (Date.now() < deadline) {
      [row] = await h.server.dataSource.query(`SELECT id, published_at FROM kyc.outbox WHERE aggregate_id = $1`, [user.id]);
      if (row?.published_at) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(event!.id).toBe(row!.id);
    expect(row!.published_at).not.toBeNull();
  });

  it('keeps a case PROCESSING while the provider fails, and the dispatcher gets it through later', async () => {
    let failures = 1;
    let provider: VerificationProvider | undefined;
    const flaky: VerificationProvider = {
      name: 'flaky',
      async submit(request: CheckRequest) {
        if (failures-- > 0) throw new Error('provider timed out');
        return provider!.submit(request);
      },
    };
    const other = await startKyc({}, { provider: flaky });
    const simulated = other.simulatedProvider();
    provider = simulated;
    try {
      const user = await other.user();
      const caseId = await prepareCase(other, user, 'TIER_1');
      const submitted = await other.gql(SUBMIT, { id: caseId }, { user });
      expect(submitted.data!.submitVerification.state).toBe('PROCESSING');
      const [waiting] = await other.server.dataSource.query(`SELECT provider_check_id FROM kyc.cases WHERE id = $1`, [caseId]);
      expect(waiting.provider_check_id).toBeNull();
      expect(await other.server.processor.createDispatcher({ olderThanMs: 0 }).runOnce()).toBe(1);
      expect(await other.waitForCase(caseId, ['APPROVED'])).toBe('APPROVED');
    } finally {
      await simulated.stop();
      await other.close();
    }
  });

  it('deletes document images after the retention period and keeps the case, its decision and the rows', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_2');
    await h.gql(SUBMIT, { id: caseId }, { user });
    await h.waitForCase(caseId, ['APPROVED']);
    const documents = await h.server.dataSource.query(`SELECT id, object_key FROM kyc.documents WHERE case_id = $1`, [caseId]);
    const worker = createDocumentRetentionWorker({ db: h.server.dataSource, objects: h.server.objectStore, retentionDays: 30 });
    expect(await worker.runOnce()).toBe(0);
    await h.server.dataSource.query(`UPDATE kyc.cases SET decided_at = now() - interval '31 days' WHERE id = $1`, [caseId]);
    expect(await worker.runOnce()).toBe(documents.length);
    for (const doc of documents) expect(await h.server.objectStore.head(doc.object_key)).toBeNull();
    const rows = await h.server.dataSource.query(`SELECT deleted_at FROM kyc.documents WHERE case_id = $1`, [caseId]);
    expect(rows.every((r: { deleted_at: Date | null }) => r.deleted_at !== null)).toBe(true);
    const [kycCase] = await h.server.dataSource.query(`SELECT state FROM kyc.cases WHERE id = $1`, [caseId]);
    expect(kycCase.state).toBe('APPROVED');
  });
});
