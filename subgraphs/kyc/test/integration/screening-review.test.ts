import path from 'node:path';
import { loadOfacSdnDirectory } from '../../src';
import { createRescreenWorker } from '../../src/services/sanctions';
import { CASE, DECIDE, MY_KYC, prepareCase, QUEUE, REVIEW_REASON, startKyc, SUBMIT, type KycHarness } from '../helpers/kyc-harness';

const SAMPLE_UPDATE = path.join(__dirname, '..', '..', 'data', 'sanctions', 'sample-update');

let h: KycHarness;
beforeAll(async () => {
  h = await startKyc();
});
afterAll(async () => h?.close());

describe('sanctions screening and review', () => {
  it('sends a misspelled, reordered listed name to review, never to approval, with the match for the officer', async () => {
    const user = await h.user();
    // Listed as "VOLKOV, Dmitriy Aleksandrovich", born 12 Mar 1968.
    const caseId = await prepareCase(h, user, 'TIER_1', { legalName: 'Volkov Dmitri', dateOfBirth: '1968-03-12', nationality: 'RU' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    expect(await h.waitForCase(caseId, ['APPROVED', 'NEEDS_REVIEW'])).toBe('NEEDS_REVIEW');
    // The customer is not told why.
    const mine = (await h.gql(MY_KYC, { id: user.id }, { user })).data!._entities[0].kyc;
    expect(mine).toMatchObject({ tier: 'TIER_0', status: 'PENDING', nextSteps: ['WAIT'] });

    const officer = await h.user(['COMPLIANCE']);
    const seen = (await h.gql(CASE, { id: caseId, reason: REVIEW_REASON }, { user: officer })).data!.kycCase;
    expect(seen.reviewReasons).toContain('SANCTIONS_POSSIBLE_MATCH');
    expect(seen.screening.outcome).toBe('POSSIBLE_MATCH');
    expect(seen.screening.matches[0]).toMatchObject({ listedName: expect.stringMatching(/volkov/i), score: expect.any(Number) });
    // Masked by default.
    expect(seen.subject.profile.legalName.value).not.toBe('Volkov Dmitri');
    expect(seen.subject.profile.legalName.value).toMatch(/^V\**/);

    const queue = (await h.gql(QUEUE, { first: 50, reason: REVIEW_REASON }, { user: officer })).data!.kycReviewQueue;
    expect(queue.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(caseId);
  });

  it('approves a clear name without review', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1', { legalName: 'Harriet Greenwood' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    expect(await h.waitForCase(caseId, ['APPROVED', 'NEEDS_REVIEW'])).toBe('APPROVED');
  });

  it('re-screens existing customers when a new list is loaded, opening a review for a new match', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1', { legalName: 'Edmund Hartley', dateOfBirth: '1979-07-04' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    expect(await h.waitForCase(caseId, ['APPROVED', 'NEEDS_REVIEW'])).toBe('APPROVED');

    const loaded = await h.server.sanctions.load(await loadOfacSdnDirectory(SAMPLE_UPDATE));
    expect(loaded.activated).toBe(true);
    // The server's worker runs every 10 s; run a pass now.
    await createRescreenWorker({ lists: h.server.sanctions, db: h.server.dataSource, rescreen: (q, id, s) => h.server.processor.rescreen(q, id, s) }).runOnce();

    const [review] = await h.server.dataSource.query(`SELECT id, state, kind, target_tier FROM kyc.cases WHERE user_id = $1 AND kind = 'RESCREEN'`, [user.id]);
    expect(review).toMatchObject({ state: 'NEEDS_REVIEW', target_tier: 'TIER_1' });
    const [profile] = await h.server.dataSource.query(`SELECT screened_list_version, screening->>'outcome' AS outcome FROM kyc.profiles WHERE user_id = $1`, [user.id]);
    expect(profile).toEqual({ screened_list_version: loaded.version, outcome: 'POSSIBLE_MATCH' });
    // A tier 1 re-screening review confirmed by one officer takes the customer back to TIER_0.
    const officer = await h.user(['COMPLIANCE']);
    const decided = await h.gql(DECIDE, { input: { caseId: review.id, decision: 'REJECT', reason: 'Confirmed match against the list.' } }, { user: officer });
    expect(decided.data!.decideKycCase.state).toBe('REJECTED');
    expect((await h.gql(MY_KYC, { id: user.id }, { user })).data!._entities[0].kyc.tier).toBe('TIER_0');
    const events = await h.server.dataSource.query(`SELECT payload->>'to' AS to FROM kyc.outbox WHERE aggregate_id = $1 ORDER BY seq`, [user.id]);
    expect(events.map((e: { to: string }) => e.to)).toEqual(['TIER_1', 'TIER_0']);
  });

  it('needs two compliance officers to reject a tier 2 case; support staff neither see the case nor decide', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_2', { legalName: 'Carol Consider' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    expect(await h.waitForCase(caseId, ['APPROVED', 'NEEDS_REVIEW'])).toBe('NEEDS_REVIEW');

    // Reviewing is kyc:review (compliance, administrators); support reads customers only through identity's audited lookup.
    const support = await h.user(['SUPPORT']);
    const auditRows = async () => (await h.server.dataSource.query(`SELECT count(*)::int AS n FROM kyc.audit_log WHERE actor_id = $1`, [support.id]))[0].n;
    expect((await h.gql(CASE, { id: caseId, reason: REVIEW_REASON }, { user: support })).errors![0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Query.kycCase'] });
    const bySupport = await h.gql(DECIDE, { input: { caseId, decision: 'APPROVE', reason: 'Looks fine.' } }, { user: support });
    expect(bySupport.errors![0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.decideKycCase'] });
    expect(await auditRows()).toBe(0);

    const first = await h.user(['COMPLIANCE']);
    const proposed = await h.gql(DECIDE, { input: { caseId, decision: 'REJECT', reason: 'Document looks altered.' } }, { user: first });
    expect(proposed.data!.decideKycCase).toMatchObject({ state: 'NEEDS_REVIEW', pendingDecision: { decision: 'REJECT', officerId: first.id } });
    const again = await h.gql(DECIDE, { input: { caseId, decision: 'REJECT', reason: 'Still altered.' } }, { user: first });
    expect(again.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'FOUR_EYES_REQUIRED' });
    expect(await h.waitForCase(caseId, ['NEEDS_REVIEW'])).toBe('NEEDS_REVIEW');

    const second = await h.user(['COMPLIANCE']);
    const confirmed = await h.gql(DECIDE, { input: { caseId, decision: 'REJECT', reason: 'Agree: altered.' } }, { user: second });
    expect(confirmed.data!.decideKycCase.state).toBe('REJECTED');
    const mine = (await h.gql(MY_KYC, { id: user.id }, { user })).data!._entities[0].kyc;
    expect(mine).toMatchObject({ tier: 'TIER_0', status: 'REJECTED', currentCase: { customerMessage: expect.not.stringMatching(/altered/) } });
  });
});
