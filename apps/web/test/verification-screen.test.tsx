/** @jest-environment jsdom */
import './support/dom-setup';
import { KycDocument, StartVerificationDocument, SubmitVerificationDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import type { KycOverview } from '../src/kyc/use-kyc';
import { createFakeBff, data, refusal, type FakeBff } from './support/fake-bff';
import { CASE_ID, draftCase, fullProfile, kycAnswer, kycOverview } from './support/kyc';
import { FIRST_RENDER, openAppAt, signedInAs } from './support/open-app-at';

// The verification overview as the app routes it: tier and limits, starting a case, the steps
// left with their links, submitting, and waiting while checks run.

function customer(bff: FakeBff, kyc: () => KycOverview) {
  signedInAs(bff, ['CUSTOMER']);
  bff.on(KycDocument, () => data(kycAnswer(kyc())));
}

const steps = () => within(screen.getByTestId('kyc-steps')).getAllByTestId('kyc-step').map((s) => s.textContent);

describe('the verification screen', () => {
  it('shows the tier and its limits, and starts a verification for the chosen tier', async () => {
    const bff = createFakeBff();
    let kyc = kycOverview();
    customer(bff, () => kyc);
    bff.on(StartVerificationDocument, (variables) => {
      kyc = kycOverview({ status: 'IN_PROGRESS', nextSteps: ['COMPLETE_PROFILE', 'VERIFY_PHONE', 'UPLOAD_IDENTITY_DOCUMENT', 'UPLOAD_SELFIE', 'SUBMIT'], currentCase: draftCase() });
      expect(variables).toEqual({ input: { targetTier: 'TIER_2' } });
      return data({ startVerification: draftCase() });
    });
    const { events } = openAppAt('/verification', bff);
    expect(await screen.findByRole('heading', { name: 'Verify your identity' }, FIRST_RENDER)).toBeTruthy();
    expect((await screen.findByTestId('kyc-status')).textContent).toBe('Not started');
    expect(screen.getByTestId('kyc-limits').textContent).toContain('£0.00');
    await events.click(screen.getByRole('radio', { name: /^Tier 2/ }));
    await events.click(screen.getByRole('button', { name: 'Start verification' }));

    await screen.findByTestId('kyc-steps');
    expect(steps()).toEqual(['To doYour personal details', 'To doYour mobile number', 'To doAn identity document', 'To doA selfie']);
    expect(screen.getByRole('link', { name: 'Your mobile number' }).getAttribute('href')).toBe('/verification/phone');
    expect(screen.getByText('You can submit once every step above is done.')).toBeTruthy();
    expect(screen.getByTestId('kyc-case').textContent).toContain('Verification for Tier 2');
  });

  it('submits once only SUBMIT is left, and waits while the checks run', async () => {
    const bff = createFakeBff();
    let kyc = kycOverview({ status: 'IN_PROGRESS', nextSteps: ['SUBMIT'], profile: fullProfile, currentCase: draftCase() });
    customer(bff, () => kyc);
    bff.on(SubmitVerificationDocument, (variables) => {
      expect(variables).toEqual({ caseId: CASE_ID });
      kyc = { ...kyc, status: 'PENDING', nextSteps: ['WAIT'], currentCase: { ...draftCase(), state: 'PROCESSING', submittedAt: '2026-12-07T10:00:00.000Z' } };
      return data({ submitVerification: kyc.currentCase });
    });
    const { events } = openAppAt('/verification', bff);
    await screen.findByTestId('kyc-steps', {}, FIRST_RENDER);
    expect(steps().every((s) => s?.startsWith('Done'))).toBe(true);
    await events.click(screen.getByRole('button', { name: 'Submit for checks' }));
    expect(await screen.findByText('We are checking your details')).toBeTruthy();
    expect(screen.getByTestId('kyc-status').textContent).toBe('Being checked');
    expect(screen.getByTestId('kyc-case').textContent).toContain('Checks running');
    expect(screen.queryByTestId('kyc-steps')).toBeNull();
  });

  it('says what is still missing when the submission is refused for it', async () => {
    const bff = createFakeBff();
    customer(bff, () => kycOverview({ status: 'IN_PROGRESS', nextSteps: ['SUBMIT'], currentCase: draftCase() }));
    bff.on(
      SubmitVerificationDocument,
      refusal('BAD_USER_INPUT', 'Requirements missing.', { reason: 'REQUIREMENTS_MISSING', missing: ['VERIFY_PHONE', 'UPLOAD_SELFIE'] }),
    );
    const { events } = openAppAt('/verification', bff);
    await events.click(await screen.findByRole('button', { name: 'Submit for checks' }, FIRST_RENDER));
    expect((await screen.findByRole('alert')).textContent).toContain('Some things are still missing: your mobile number, a selfie.');
  });

  it.each([
    ['ALREADY_AT_TIER', 'You are already verified to that tier.'],
    ['CASE_OPEN', 'A verification for the other tier is already open: finish it first.'],
  ])('explains a start refused with %s', async (reason, message) => {
    const bff = createFakeBff();
    customer(bff, () => kycOverview());
    bff.on(StartVerificationDocument, refusal('CONFLICT', 'refused', { reason }));
    const { events } = openAppAt('/verification', bff);
    await events.click(await screen.findByRole('button', { name: 'Start verification' }, FIRST_RENDER));
    expect((await screen.findByRole('alert')).textContent).toContain(message);
  });

  it('shows what the bank asked for when it wants something again', async () => {
    const bff = createFakeBff();
    customer(bff, () =>
      kycOverview({
        status: 'ACTION_REQUIRED',
        nextSteps: ['UPLOAD_IDENTITY_DOCUMENT', 'SUBMIT'],
        currentCase: { ...draftCase(), state: 'RESUBMISSION_REQUESTED', customerMessage: 'The passport photo is blurred; upload a sharper one.' },
      }),
    );
    openAppAt('/verification', bff);
    expect((await screen.findByText('The passport photo is blurred; upload a sharper one.', {}, FIRST_RENDER)).closest('[role="status"]')).toBeTruthy();
    expect(screen.getByTestId('kyc-status').textContent).toBe('Action needed');
    await waitFor(() => expect(steps()).toEqual(['DoneYour personal details', 'DoneYour mobile number', 'To doAn identity document', 'DoneA selfie']));
  });

  it('tells a tier 2 customer there is nothing left', async () => {
    const bff = createFakeBff();
    customer(bff, () =>
      kycOverview({
        tier: 'TIER_2',
        status: 'VERIFIED',
        nextSteps: [],
        limits: { tier: 'TIER_2', singlePayment: '25000.00', daily: '50000.00', monthly: '200000.00', currency: 'GBP' },
        currentCase: { ...draftCase(), state: 'APPROVED', decidedAt: '2026-12-07T10:01:00.000Z' },
      }),
    );
    openAppAt('/verification', bff);
    expect(await screen.findByText('You are verified to the highest tier. There is nothing more to do.', {}, FIRST_RENDER)).toBeTruthy();
    expect(screen.getByTestId('kyc-limits').textContent).toContain('£50,000.00');
    expect(screen.queryByRole('button', { name: 'Start verification' })).toBeNull();
  });
});
