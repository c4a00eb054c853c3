/** @jest-environment jsdom */
import './support/dom-setup';
import { CustomerByEmailDocument, KycReviewQueueDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import { createFakeBff, data, refusal } from './support/fake-bff';
import { FIRST_RENDER, openAppAt, signedInAs } from './support/open-app-at';

// The staff screens as the app routes them: who may open them, the reason asked once per review
// session and sent with every read, and the queue read a page at a time.

const REASON = 'Ticket 4411: weekly review';

const queued = (n: number) => ({
  cursor: `cursor-${n}`,
  node: {
    id: `0190f1c2-6a1b-7c3d-8e4f-00000000000${n}`,
    state: 'NEEDS_REVIEW',
    targetTier: 'TIER_1',
    createdAt: '2026-12-06T09:00:00.000Z',
    submittedAt: '2026-12-06T09:05:00.000Z',
    reviewReasons: ['PROVIDER_CONSIDER'],
    pendingDecision: null,
    subject: { userId: `user-${n}`, tier: 'TIER_0', profile: { legalName: { value: `F*** C${'*'.repeat(n)}` } } },
  },
});

describe('the staff screens', () => {
  it('tell a customer who opens one that it is not for them, and read nothing', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    openAppAt('/staff/kyc', bff);
    expect(await screen.findByRole('heading', { name: 'Not allowed' }, FIRST_RENDER)).toBeTruthy();
    expect(screen.getByText(/This page is for Meridian staff \(compliance, administrators\)/)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    const navigation = screen.getByRole('navigation', { name: 'Main' });
    expect(within(navigation).queryByRole('link', { name: 'KYC reviews' })).toBeNull();
    expect(within(navigation).queryByRole('link', { name: 'Customer lookup' })).toBeNull();
    expect(bff.variablesOf(KycReviewQueueDocument)).toEqual([]);
  });

  it('take a compliance officer from the accounts (the home after sign-in) to the KYC queue, without the banking menu', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['COMPLIANCE']);
    const { app } = openAppAt('/accounts', bff);
    expect(await screen.findByRole('dialog', { name: 'Why are you looking?' }, FIRST_RENDER)).toBeTruthy();
    expect(app.router.state.location.pathname).toBe('/staff/kyc');
    const navigation = screen.getByRole('navigation', { name: 'Main', hidden: true });
    expect(within(navigation).queryByRole('link', { name: 'Accounts', hidden: true })).toBeNull();
    expect(within(navigation).getByRole('link', { name: 'KYC reviews', hidden: true })).toBeTruthy();
  });

  it('let support look customers up, but not review KYC cases', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['SUPPORT']);
    openAppAt('/staff/kyc', bff);
    expect(await screen.findByRole('heading', { name: 'Not allowed' }, FIRST_RENDER)).toBeTruthy();
    const navigation = screen.getByRole('navigation', { name: 'Main' });
    expect(within(navigation).getByRole('link', { name: 'Customer lookup' })).toBeTruthy();
    expect(within(navigation).queryByRole('link', { name: 'Payment reviews' })).toBeNull();
  });

  it('ask for the reason once, read nothing without one, and send it with every page of the queue', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['COMPLIANCE']);
    bff.on(KycReviewQueueDocument, (variables) =>
      variables.after
        ? data({ kycReviewQueue: { edges: [queued(3)], pageInfo: { hasNextPage: false, endCursor: 'cursor-3' } } })
        : data({ kycReviewQueue: { edges: [queued(1), queued(2)], pageInfo: { hasNextPage: true, endCursor: 'cursor-2' } } }),
    );
    const { events } = openAppAt('/staff/kyc', bff);
    let dialog = await screen.findByRole('dialog', { name: 'Why are you looking?' }, FIRST_RENDER);
    await events.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Nothing is shown without a reason');
    expect(bff.variablesOf(KycReviewQueueDocument)).toEqual([]);

    await events.click(screen.getByRole('button', { name: 'Give a reason' }));
    dialog = await screen.findByRole('dialog', { name: 'Why are you looking?' });
    await events.click(within(dialog).getByRole('button', { name: 'Use this reason' }));
    expect(await within(dialog).findByText('Give a reason: every read is recorded with it.')).toBeTruthy();
    await events.type(within(dialog).getByRole('textbox', { name: 'Reason for looking' }), REASON);
    await events.click(within(dialog).getByRole('button', { name: 'Use this reason' }));

    const list = await screen.findByRole('list', { name: 'Cases waiting for review' });
    await waitFor(() => expect(within(list).getAllByTestId('kyc-case')).toHaveLength(2));
    expect(within(list).getByRole('link', { name: 'F*** C*' }).getAttribute('href')).toBe(`/staff/kyc/${queued(1).node.id}`);
    expect(screen.getByTestId('review-reason').textContent).toContain(REASON);
    await events.click(screen.getByRole('button', { name: 'Show more cases' }));
    await waitFor(() => expect(within(list).getAllByTestId('kyc-case')).toHaveLength(3));
    expect(bff.variablesOf(KycReviewQueueDocument)).toEqual([
      { first: 20, reason: REASON },
      { first: 20, reason: REASON, after: 'cursor-2' },
    ]);
    expect(screen.queryByRole('button', { name: 'Show more cases' })).toBeNull();

    // The same review session on another staff screen: no second question, the same reason.
    bff.on(CustomerByEmailDocument, data({ customerByEmail: null }));
    await events.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Customer lookup' }));
    await events.type(await screen.findByRole('textbox', { name: 'Email address or customer ID' }), 'nobody@example.com');
    await events.click(screen.getByRole('button', { name: 'Find' }));
    expect((await screen.findByRole('status')).textContent).toContain('Nobody has the email address nobody@example.com.');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(bff.variablesOf(CustomerByEmailDocument)).toEqual([{ email: 'nobody@example.com', reason: REASON }]);
  });

  it('show the API’s refusal of a reason', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['ADMIN']);
    bff.on(KycReviewQueueDocument, refusal('BAD_USER_INPUT', 'Give a reason of 3 to 500 characters.', { field: 'reason' }));
    const { events } = openAppAt('/staff/kyc', bff);
    const dialog = await screen.findByRole('dialog', { name: 'Why are you looking?' }, FIRST_RENDER);
    await events.type(within(dialog).getByRole('textbox', { name: 'Reason for looking' }), 'abc');
    await events.click(within(dialog).getByRole('button', { name: 'Use this reason' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The reason was refused: Give a reason of 3 to 500 characters. Change it and try again.');
  });
});
