import { ATTACH, CASE, DECIDE, MY_KYC, prepareCase, REVIEW_REASON, startKyc, SUBMIT, type KycHarness } from '../helpers/kyc-harness';

let h: KycHarness;
beforeAll(async () => {
  h = await startKyc();
});
afterAll(async () => h?.close());

describe('verification flow', () => {
  it('takes a customer from TIER_0 to TIER_1 with a clear name, writing kyc.tier.changed', async () => {
    const user = await h.user();
    const before = await h.gql(MY_KYC, { id: user.id }, { user });
    expect(before.errors).toBeUndefined();
    expect(before.data!._entities[0].kyc).toMatchObject({ tier: 'TIER_0', status: 'NOT_STARTED', nextSteps: ['START_VERIFICATION'] });

    const caseId = await prepareCase(h, user, 'TIER_1');
    const submitted = await h.gql(SUBMIT, { id: caseId }, { user });
    expect(submitted.errors).toBeUndefined();
    expect(await h.waitForCase(caseId, ['APPROVED', 'NEEDS_REVIEW'])).toBe('APPROVED');

    const after = await h.gql(MY_KYC, { id: user.id }, { user });
    const kyc = after.data!._entities[0].kyc;
    expect(kyc).toMatchObject({ tier: 'TIER_1', status: 'VERIFIED', nextSteps: ['START_VERIFICATION'], limits: { tier: 'TIER_1', singlePayment: '1000.00' } });
    expect(kyc.profile.legalName).toEqual({ value: 'Alice Example', status: 'VERIFIED', source: 'PROVIDER' });
    expect(kyc.currentCase.history.map((e: { to: string }) => e.to)).toEqual(['DRAFT', 'SUBMITTED', 'PROCESSING', 'APPROVED']);
    const events = await h.server.dataSource.query(`SELECT event_type, payload FROM kyc.outbox WHERE aggregate_id = $1`, [user.id]);
    expect(events).toEqual([{ event_type: 'kyc.tier.changed', payload: expect.objectContaining({ userId: user.id, from: 'TIER_0', to: 'TIER_1' }) }]);
  });

  it('takes a customer to TIER_2 with a document and a selfie', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_2');
    await h.gql(SUBMIT, { id: caseId }, { user });
    expect(await h.waitForCase(caseId, ['APPROVED', 'NEEDS_REVIEW'])).toBe('APPROVED');
    const kyc = (await h.gql(MY_KYC, { id: user.id }, { user })).data!._entities[0].kyc;
    expect(kyc).toMatchObject({ tier: 'TIER_2', status: 'VERIFIED', nextSteps: [] });
    expect(kyc.currentCase.documents.map((d: { kind: string }) => d.kind).sort()).toEqual(['PASSPORT', 'SELFIE']);
  });

  it('sends a "Consider" result to review, where one officer approves', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1', { legalName: 'Bob Consider' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    expect(await h.waitForCase(caseId, ['APPROVED', 'NEEDS_REVIEW'])).toBe('NEEDS_REVIEW');
    expect((await h.gql(MY_KYC, { id: user.id }, { user })).data!._entities[0].kyc.status).toBe('PENDING');

    const officer = await h.user(['COMPLIANCE']);
    const seen = await h.gql(CASE, { id: caseId, reason: REVIEW_REASON }, { user: officer });
    expect(seen.data!.kycCase.reviewReasons).toEqual(['PROVIDER_CONSIDER']);
    expect(seen.data!.kycCase.checks[0]).toMatchObject({ kind: 'IDENTITY_DATABASE', outcome: 'CONSIDER' });
    const decided = await h.gql(DECIDE, { input: { caseId, decision: 'APPROVE', reason: 'Checked the electoral roll by hand.' } }, { user: officer });
    expect(decided.errors).toBeUndefined();
    expect(decided.data!.decideKycCase.state).toBe('APPROVED');
    expect((await h.gql(MY_KYC, { id: user.id }, { user })).data!._entities[0].kyc.tier).toBe('TIER_1');
  });
  void ATTACH;
});
