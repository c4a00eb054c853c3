/** @jest-environment jsdom */
import './support/dom-setup';
import { DecideKycCaseDocument, DecidePaymentDocument, KycCaseDocument, RequestStepUpCodeDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CustomerSearchForm, readCustomerSearch } from '../src/staff/customer-search-form';
import { KycDecisionForm } from '../src/staff/kyc-decision-form';
import { KycSubjectCard, type KycSubject } from '../src/staff/kyc-subject-card';
import { PaymentDecisionForm, type HeldPayment } from '../src/staff/payment-decision-form';
import { ReviewReasonForm } from '../src/staff/review-reason-form';
import { createFakeBff, data, refusal, type FakeAnswer } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CASE_ID = '0190f1c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f';

describe('the reason for looking', () => {
  async function submitReason(events: Events, typed: string) {
    const field = screen.getByRole('textbox', { name: 'Reason for looking' });
    await events.clear(field);
    if (typed) await events.type(field, typed);
    await events.click(screen.getByRole('button', { name: 'Use this reason' }));
  }

  it('is 3 to 500 characters, and is given back trimmed', async () => {
    const onSubmit = jest.fn();
    renderWithApp(<ReviewReasonForm onSubmit={onSubmit} />, createFakeBff());
    const events = userEvent.setup();
    await submitReason(events, '');
    expect(await screen.findByText('Give a reason: every read is recorded with it.')).toBeTruthy();
    await submitReason(events, '   ab  ');
    expect(await screen.findByText('Use at least 3 characters.')).toBeTruthy();
    const field = screen.getByRole('textbox', { name: 'Reason for looking' });
    await events.clear(field);
    // Pasted, as nobody types 501 characters.
    field.focus();
    await events.paste('x'.repeat(501));
    await events.click(screen.getByRole('button', { name: 'Use this reason' }));
    expect(await screen.findByText('Use at most 500 characters.')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
    await submitReason(events, '  Ticket 4411: card dispute ');
    expect(onSubmit).toHaveBeenCalledWith('Ticket 4411: card dispute');
  });
});

describe('the customer search', () => {
  it.each([
    ['', 'Enter an email address or a customer ID.'],
    ['ana@', 'This is not an email address.'],
    ['Ana Payee', 'Enter an email address, or a customer ID such as 0190f1c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f.'],
  ])('refuses %j before anything is read', async (typed, problem) => {
    const bff = createFakeBff();
    const onSearch = jest.fn();
    renderWithApp(<CustomerSearchForm onSearch={onSearch} />, bff);
    const events = userEvent.setup();
    if (typed) await events.type(screen.getByRole('textbox', { name: 'Email address or customer ID' }), typed);
    await events.click(screen.getByRole('button', { name: 'Find' }));
    expect(await screen.findByText(problem)).toBeTruthy();
    expect(onSearch).not.toHaveBeenCalled();
    expect(bff.calls).toEqual([]);
  });

  it('tells an id from an email address', async () => {
    expect(readCustomerSearch(` ${CASE_ID.toUpperCase()} `)).toEqual({ by: 'id', id: CASE_ID });
    expect(readCustomerSearch(' ana.payee@example.com ')).toEqual({ by: 'email', email: 'ana.payee@example.com' });
    const onSearch = jest.fn();
    renderWithApp(<CustomerSearchForm onSearch={onSearch} />, createFakeBff());
    const events = userEvent.setup();
    await events.type(screen.getByRole('textbox', { name: 'Email address or customer ID' }), 'ana.payee@example.com');
    await events.click(screen.getByRole('button', { name: 'Find' }));
    expect(onSearch).toHaveBeenCalledWith({ by: 'email', email: 'ana.payee@example.com' });
  });
});

describe('the KYC decision', () => {
  const decided = (state: string, pendingDecision: unknown = null): FakeAnswer =>
    data({ decideKycCase: { id: CASE_ID, state, customerMessage: null, decidedAt: '2026-12-07T10:00:00.000Z', pendingDecision } });

  function setup(answer?: FakeAnswer, targetTier: 'TIER_1' | 'TIER_2' = 'TIER_1') {
    const bff = createFakeBff();
    if (answer) bff.on(DecideKycCaseDocument, answer);
    const onDecided = jest.fn();
    renderWithApp(<KycDecisionForm caseId={CASE_ID} targetTier={targetTier} onDecided={onDecided} />, bff);
    return { bff, onDecided, events: userEvent.setup() };
  }

  async function decide(events: Events, decision: RegExp, reason: string) {
    await events.click(screen.getByRole('radio', { name: decision }));
    await events.type(screen.getByRole('textbox', { name: 'Reason for the decision' }), reason);
    await events.click(screen.getByRole('button', { name: 'Record the decision' }));
  }

  it('needs a decision and a reason before sending anything', async () => {
    const { bff, events } = setup();
    await events.click(screen.getByRole('button', { name: 'Record the decision' }));
    expect(await screen.findByText('Choose a decision.')).toBeTruthy();
    expect(screen.getByText('Give the reason for your decision.')).toBeTruthy();
    await events.click(screen.getByRole('radio', { name: /^Ask the customer/ }));
    // What the reason is for depends on the decision: a resubmission's is shown to the customer.
    expect(screen.getByText('Shown to the customer: say what to change or upload.')).toBeTruthy();
    await events.type(screen.getByRole('textbox', { name: 'Reason for the decision' }), 'no');
    await events.click(screen.getByRole('button', { name: 'Record the decision' }));
    expect(await screen.findByText('Use at least 3 characters.')).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('records the decision with the reason trimmed', async () => {
    const { bff, events, onDecided } = setup(decided('APPROVED'));
    await decide(events, /^Approve: the customer gets Tier 1/, '  Records checked by hand. ');
    await waitFor(() => expect(onDecided).toHaveBeenCalledWith(expect.objectContaining({ state: 'APPROVED' })));
    expect(bff.variablesOf(DecideKycCaseDocument)).toEqual([{ input: { caseId: CASE_ID, decision: 'APPROVE', reason: 'Records checked by hand.' } }]);
  });

  it.each([
    ['NOT_IN_REVIEW', refusal('CONFLICT', 'The case is APPROVED, not in review.', { reason: 'NOT_IN_REVIEW', state: 'APPROVED' }), 'This case is no longer in review (it is approved). Reload it to see what changed.'],
    ['FOUR_EYES_REQUIRED', refusal('CONFLICT', 'A second compliance officer must confirm this rejection.', { reason: 'FOUR_EYES_REQUIRED' }), 'You proposed this rejection yourself: a second compliance officer must confirm it.'],
    ['NOT_APPLICABLE', refusal('CONFLICT', 'nothing to resubmit', { reason: 'NOT_APPLICABLE' }), 'This is a re-screening review: approve or reject it.'],
    ['NOT_FOUND', refusal('NOT_FOUND', 'Verification case not found.'), 'This case could not be found. Go back to the queue.'],
    ['FORBIDDEN', refusal('FORBIDDEN', 'scope', {}, 403), 'Your role does not allow deciding KYC cases.'],
    ['a network failure', 'network-error' as const, 'We could not tell whether the decision was recorded. Reload the case before deciding again.'],
  ])('explains %s', async (_what, answer, message) => {
    const { events, onDecided } = setup(answer, 'TIER_2');
    await decide(events, /^Reject/, 'Document does not match');
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(onDecided).not.toHaveBeenCalled();
  });

  it('shows a refusal of the reason under the reason', async () => {
    const { events } = setup(refusal('BAD_USER_INPUT', 'reason must be 3 to 500 characters.', { field: 'reason' }));
    await decide(events, /^Reject/, 'abc');
    const reason = screen.getByRole('textbox', { name: 'Reason for the decision' });
    await waitFor(() => expect(reason.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('reason must be 3 to 500 characters.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('the payment decision', () => {
  const payment: HeldPayment = {
    id: 'pay_0190f1c26a1b7c3d',
    kind: 'P2P',
    status: 'REQUIRES_REVIEW',
    amount: { amount: '600.00', currency: 'GBP' },
    counterparty: { name: 'Ana Payee' },
    description: 'Deposit',
    reviewReasons: ['NEW_PAYEE_LARGE_FIRST_PAYMENT'],
    failureCode: null,
    createdAt: '2026-12-07T09:00:00.000Z',
    updatedAt: '2026-12-07T09:00:00.000Z',
    history: [],
  };
  const decidedAs = (status: string): FakeAnswer => {
    const { history: _history, ...parts } = payment;
    return data({ decidePayment: { ...parts, status } });
  };

  function setup(answer: FakeAnswer | ((variables: Record<string, unknown>) => FakeAnswer), decision: 'APPROVE' | 'REJECT' = 'APPROVE') {
    const bff = createFakeBff();
    bff.on(DecidePaymentDocument, answer);
    const onDecided = jest.fn();
    renderWithApp(<PaymentDecisionForm payment={payment} decision={decision} onDecided={onDecided} />, bff);
    return { bff, onDecided, events: userEvent.setup() };
  }
  const keysOf = (bff: ReturnType<typeof createFakeBff>) => bff.variablesOf(DecidePaymentDocument).map((v) => v.idempotencyKey as string);

  it('needs a reason, then approves with an idempotency key', async () => {
    const { bff, events, onDecided } = setup(decidedAs('SUCCEEDED'));
    expect(screen.getByText('£600.00 goes to Ana Payee at once.')).toBeTruthy();
    await events.click(screen.getByRole('button', { name: 'Approve the payment' }));
    expect(await screen.findByText('Give the reason for your decision.')).toBeTruthy();
    expect(bff.calls).toEqual([]);
    await events.type(screen.getByRole('textbox', { name: 'Reason for the decision' }), ' Known landlord, rent ');
    await events.click(screen.getByRole('button', { name: 'Approve the payment' }));
    await waitFor(() => expect(onDecided).toHaveBeenCalledWith(expect.objectContaining({ status: 'SUCCEEDED' })));
    expect(bff.variablesOf(DecidePaymentDocument)).toEqual([{ id: payment.id, decision: 'APPROVE', reason: 'Known landlord, rent', idempotencyKey: expect.stringMatching(UUID) }]);
  });

  it('sends a retry after a network failure with the same key, so the decision is recorded once', async () => {
    let attempt = 0;
    const { bff, events, onDecided } = setup(() => (++attempt === 1 ? 'network-error' : decidedAs('FAILED')), 'REJECT');
    await events.type(screen.getByRole('textbox', { name: 'Reason for the decision' }), 'Looks like a scam');
    await events.click(screen.getByRole('button', { name: 'Reject the payment' }));
    expect((await screen.findByRole('alert')).textContent).toContain('We could not tell whether the payment was rejected. Press “Reject the payment” again');
    await events.click(screen.getByRole('button', { name: 'Reject the payment' }));
    await waitFor(() => expect(onDecided).toHaveBeenCalledTimes(1));
    const keys = keysOf(bff);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it.each([
    ['CONFLICT', refusal('CONFLICT', 'The payment is SUCCEEDED.', { state: 'SUCCEEDED' }), 'This payment is no longer held for review (it is paid): someone decided it or the customer cancelled it.'],
    ['NOT_FOUND', refusal('NOT_FOUND', 'Payment not found.'), 'This payment could not be found. Reload the queue.'],
    ['FORBIDDEN', refusal('FORBIDDEN', 'scope', {}, 403), 'Your role does not allow deciding payments.'],
    ['IDEMPOTENCY_KEY_REUSED', refusal('IDEMPOTENCY_KEY_REUSED', 'reused'), 'This decision was already sent with other details.'],
    ['SERVICE_UNAVAILABLE', refusal('SERVICE_UNAVAILABLE', 'busy', {}, 503), 'Payments could not record the decision just now.'],
  ])('explains %s, and a changed reason is a new attempt with a new key', async (_code, answer, message) => {
    const { bff, events } = setup(answer);
    const reason = screen.getByRole('textbox', { name: 'Reason for the decision' });
    await events.type(reason, 'Checked with the customer');
    await events.click(screen.getByRole('button', { name: 'Approve the payment' }));
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    await events.type(reason, ' by phone');
    await events.click(screen.getByRole('button', { name: 'Approve the payment' }));
    await waitFor(() => expect(keysOf(bff)).toHaveLength(2));
    expect(new Set(keysOf(bff)).size).toBe(2);
  });

  it('shows a refusal of the reason under the reason', async () => {
    const { events } = setup(refusal('BAD_USER_INPUT', 'Give a reason of 3 to 500 characters.', { field: 'reason' }));
    await events.type(screen.getByRole('textbox', { name: 'Reason for the decision' }), 'abc');
    await events.click(screen.getByRole('button', { name: 'Approve the payment' }));
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Reason for the decision' }).getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Give a reason of 3 to 500 characters.')).toBeTruthy();
  });
});

describe('revealing personal data on a case', () => {
  const field = (value: string) => ({ value, status: 'VERIFIED', source: 'PROVIDER' }) as const;
  const subject = (name: string, dob: string): KycSubject => ({
    userId: 'user-1',
    tier: 'TIER_0',
    profile: { legalName: field(name), dateOfBirth: field(dob), nationality: field('IE'), taxId: null, phone: null, address: null },
  });
  const masked = subject('F*** C*******', '19**-**-**');
  const reason = 'Provider asked for a manual check';
  const caseWith = (s: KycSubject) => data({ kycCase: { id: CASE_ID, subject: s } });

  it('shows masked data, and on "Reveal" asks for a second factor when the API wants one, then shows it in full', async () => {
    const bff = createFakeBff();
    let steppedUp = false;
    bff.on(KycCaseDocument, () =>
      steppedUp ? caseWith(subject('Fay Consider', '1985-01-20')) : refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['EMAIL'] }, 403),
    );
    bff.on(RequestStepUpCodeDocument, data({ requestStepUpCode: { channel: 'EMAIL', sentTo: 'o***@meridian.bank', expiresAt: '2026-12-07T10:05:00.000Z', resendAfter: '2026-12-07T10:00:30.000Z' } }));
    bff.onRoute('POST /auth/step-up', (body) => {
      steppedUp = body?.code === '135790';
      return { body: { session: {}, amr: ['pwd', 'otp'], authTime: '2026-12-07T10:00:00.000Z' } };
    });
    renderWithApp(<KycSubjectCard caseId={CASE_ID} reason={reason} subject={masked} />, bff);
    const events = userEvent.setup();
    const table = screen.getByTestId('kyc-personal-data');
    expect(within(table).getByText('F*** C*******')).toBeTruthy();
    expect(within(table).getAllByText('Not given')).toHaveLength(3);
    expect(bff.calls).toEqual([]);

    await events.click(screen.getByRole('button', { name: 'Reveal personal data' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Email me a code' }));
    await events.type(within(dialog).getByRole('textbox', { name: '6-digit code' }), '135790');
    await events.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(table).findByText('Fay Consider')).toBeTruthy();
    expect(within(table).getByText('1985-01-20')).toBeTruthy();
    expect(bff.variablesOf(KycCaseDocument)).toEqual([
      { id: CASE_ID, reveal: true, reason },
      { id: CASE_ID, reveal: true, reason },
    ]);

    // Hidden again without another read.
    await events.click(screen.getByRole('button', { name: 'Hide personal data' }));
    expect(within(table).getByText('F*** C*******')).toBeTruthy();
    expect(bff.variablesOf(KycCaseDocument)).toHaveLength(2);
  });

  it('keeps the data masked and says why when the second factor is not given', async () => {
    const bff = createFakeBff();
    bff.on(KycCaseDocument, refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['TOTP'] }, 403));
    renderWithApp(<KycSubjectCard caseId={CASE_ID} reason={reason} subject={masked} />, bff);
    const events = userEvent.setup();
    await events.click(screen.getByRole('button', { name: 'Reveal personal data' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Revealing personal data needs a second factor from the last few minutes.');
    expect(screen.getByText('F*** C*******')).toBeTruthy();
  });

  it('shows the refusal of an empty reason', async () => {
    const bff = createFakeBff();
    bff.on(KycCaseDocument, refusal('BAD_USER_INPUT', 'Give a reason of 3 to 500 characters.', { field: 'reason' }));
    renderWithApp(<KycSubjectCard caseId={CASE_ID} reason=" " subject={masked} />, bff);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Reveal personal data' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The reason was refused: Give a reason of 3 to 500 characters. Change it and try again.');
  });
});
