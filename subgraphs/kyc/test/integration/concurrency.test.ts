import { signWebhook } from '@meridian/platform';
import { DECIDE, prepareCase, START, startKyc, SUBMIT, type KycHarness } from '../helpers/kyc-harness';

// Races a customer or two officers could run: each ends in one consistent outcome.

let h: KycHarness;
beforeAll(async () => {
  h = await startKyc();
});
afterAll(async () => h?.close());

describe('kyc under concurrency', () => {
  it('opens one case for ten concurrent starts, answering the same case to each', async () => {
    const user = await h.user();
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.gql(START, { tier: 'TIER_1' }, { user })));
    expect(answers.map((a) => a.errors)).toEqual(Array(10).fill(undefined));
    expect(new Set(answers.map((a) => a.data!.startVerification.id)).size).toBe(1);
    const [{ n }] = await h.server.dataSource.query(`SELECT count(*)::int AS n FROM kyc.cases WHERE user_id = $1`, [user.id]);
    expect(n).toBe(1);
  });

  it('submits once for concurrent submissions: one check, one pass through the states', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1');
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.gql(SUBMIT, { id: caseId }, { user })));
    expect(answers.every((a) => a.errors === undefined)).toBe(true);
    await h.waitForCase(caseId, ['APPROVED']);
    const events = await h.server.dataSource.query(`SELECT to_state FROM kyc.case_events WHERE case_id = $1 ORDER BY seq`, [caseId]);
    expect(events.map((e: { to_state: string }) => e.to_state)).toEqual(['DRAFT', 'SUBMITTED', 'PROCESSING', 'APPROVED']);
    const outbox = await h.server.dataSource.query(`SELECT 1 FROM kyc.outbox WHERE aggregate_id = $1`, [user.id]);
    expect(outbox).toHaveLength(1);
  });

  it('applies one provider result once when its webhook arrives many times at once', async () => {
    // A provider that takes the check and never answers: the test answers for it.
    const silent = await startKyc({}, { provider: { name: 'silent', submit: async (r) => ({ providerCheckId: `silent-${r.checkId}` }) } });
    try {
      const customer = await silent.user();
      const caseId = await prepareCase(silent, customer, 'TIER_1');
      await silent.gql(SUBMIT, { id: caseId }, { user: customer });
      const [{ check_id: checkId }] = await silent.server.dataSource.query(`SELECT check_id FROM kyc.cases WHERE id = $1`, [caseId]);
      const body = JSON.stringify({
        type: 'check.completed',
        data: { checkId, providerCheckId: `silent-${checkId}`, outcome: 'CLEAR', reports: [{ kind: 'IDENTITY_DATABASE', outcome: 'CLEAR', reasons: [] }], completedAt: new Date().toISOString() },
      });
      const headers = { 'content-type': 'application/json', ...signWebhook(silent.webhookSecret(), { id: 'msg_many', timestamp: new Date(), body }) };
      const answers = await Promise.all(Array.from({ length: 10 }, () => silent.inject('POST', '/webhooks/verification', { caller: null, headers, payload: body })));
      const outcomes = answers.map((a) => JSON.parse(a.body).outcome).sort();
      expect(outcomes).toEqual(['APPLIED', ...Array(9).fill('DUPLICATE')]);
      expect(await silent.waitForCase(caseId, ['APPROVED'])).toBe('APPROVED');
      const outbox = await silent.server.dataSource.query(`SELECT 1 FROM kyc.outbox WHERE aggregate_id = $1`, [customer.id]);
      expect(outbox).toHaveLength(1);
    } finally {
      await silent.close();
    }
  });

  it('needs two different officers even when two rejections of a tier 2 case race', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_2', { legalName: 'Erin Consider' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    await h.waitForCase(caseId, ['NEEDS_REVIEW']);
    const officer = await h.user(['COMPLIANCE']);
    // The same officer twice at once: one proposal, one refusal, never a rejection.
    const same = await Promise.all([0, 1].map(() => h.gql(DECIDE, { input: { caseId, decision: 'REJECT', reason: 'Tampered document.' } }, { user: officer })));
    expect(same.map((a) => a.errors?.[0].extensions?.reason ?? a.data!.decideKycCase.state).sort()).toEqual(['FOUR_EYES_REQUIRED', 'NEEDS_REVIEW']);
    // Two others at once: the first confirms, the second finds the case decided.
    const [a, b] = [await h.user(['COMPLIANCE']), await h.user(['COMPLIANCE'])];
    const others = await Promise.all([a, b].map((o) => h.gql(DECIDE, { input: { caseId, decision: 'REJECT', reason: 'Agree.' } }, { user: o })));
    expect(others.map((x) => x.errors?.[0].extensions?.reason ?? x.data!.decideKycCase.state).sort()).toEqual(['NOT_IN_REVIEW', 'REJECTED']);
  });
});
