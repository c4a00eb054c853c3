/** @jest-environment jsdom */
import './support/dom-setup';
import { ChangeEmailDocument, ChangePasswordDocument, RequestStepUpCodeDocument, ResendEmailVerificationDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ChangeEmailForm } from '../src/security/change-email-form';
import { ChangePasswordForm } from '../src/security/change-password-form';
import { EmailAddressStatus } from '../src/security/email-address-status';
import { createFakeBff, data, refusal, type FakeAnswer } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;

const CURRENT = 'a long and unusual passphrase';
const NEW = 'another quite unusual passphrase';
const stepUpRequired = refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['EMAIL'], action: 'changePassword' }, 403);
const wrongPassword = refusal('FORBIDDEN', 'The current password is not right.', { reason: 'WRONG_PASSWORD', field: 'currentPassword' }, 403);

async function fillPasswords(events: Events, current: string, next: string, again = next) {
  const labels: [string, string][] = [
    ['Current password', current],
    ['New password', next],
    ['New password again', again],
  ];
  for (const [label, value] of labels) {
    const field = screen.getByLabelText(new RegExp(`^${label}\\s*\\*?$`), { selector: 'input' });
    await events.clear(field);
    if (value) await events.type(field, value);
  }
  await events.click(screen.getByRole('button', { name: 'Change my password' }));
}

describe('changing the password', () => {
  it.each([
    ['', 'short', 'short', ['Enter your current password.', 'Use at least 12 characters.']],
    [CURRENT, CURRENT, CURRENT, ['Choose a password different from your current one.']],
    [CURRENT, NEW, `${NEW}!`, ['The two new passwords are not the same.']],
  ])('checks the passwords before sending them (%j, %j, %j)', async (current, next, again, problems) => {
    const bff = createFakeBff();
    renderWithApp(<ChangePasswordForm />, bff);
    await fillPasswords(userEvent.setup(), current, next, again);
    for (const problem of problems) expect(await screen.findByText(problem)).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('asks for a second factor, then changes the password and says the other devices are signed out', async () => {
    const bff = createFakeBff();
    let steppedUp = false;
    bff.on(ChangePasswordDocument, () => (steppedUp ? data({ changePassword: true }) : stepUpRequired));
    bff.on(RequestStepUpCodeDocument, data({ requestStepUpCode: { channel: 'EMAIL', sentTo: 'd***@example.com', expiresAt: '2026-12-07T10:05:00.000Z', resendAfter: '2026-12-07T10:00:30.000Z' } }));
    bff.onRoute('POST /auth/step-up', () => {
      steppedUp = true;
      return { body: { session: {}, amr: ['pwd', 'mfa'], authTime: '2026-12-07T10:00:00.000Z' } };
    });
    renderWithApp(<ChangePasswordForm />, bff);
    const events = userEvent.setup();
    await fillPasswords(events, CURRENT, NEW);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Email me a code' }));
    await events.type(await within(dialog).findByRole('textbox', { name: '6-digit code' }), '135790');
    await events.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('status')).textContent).toContain('Every other device was signed out; this one stays signed in.');
    expect(bff.variablesOf(ChangePasswordDocument)).toEqual([
      { currentPassword: CURRENT, newPassword: NEW },
      { currentPassword: CURRENT, newPassword: NEW },
    ]);
    expect(screen.getByLabelText(/^Current password/, { selector: 'input' })).toHaveProperty('value', '');
  });

  it('shows a wrong current password under it, and a weak new one under that', async () => {
    const bff = createFakeBff();
    let answer: FakeAnswer = wrongPassword;
    bff.on(ChangePasswordDocument, () => answer);
    renderWithApp(<ChangePasswordForm />, bff);
    const events = userEvent.setup();
    await fillPasswords(events, CURRENT, NEW);
    expect(await screen.findByText('That is not your current password.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    answer = refusal('BAD_USER_INPUT', 'This password is too easy to guess: add another word or two.', { field: 'newPassword' });
    await fillPasswords(events, CURRENT, NEW);
    expect(await screen.findByText('This password is too easy to guess: add another word or two.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it.each([
    ['a locked account', refusal('RATE_LIMITED', 'locked', { reason: 'SIGN_IN_LOCKED', retryAfter: 900 }, 429), 'Too many wrong passwords: your account is locked for 15 minutes.'],
    ['a slowed account', refusal('RATE_LIMITED', 'wait', { reason: 'SIGN_IN_BACKOFF', retryAfter: 4 }, 429), 'Too many wrong passwords. Try again in 4 seconds.'],
    ['a lost connection', 'network-error' as const, 'We could not reach Meridian.'],
  ])('explains %s', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.on(ChangePasswordDocument, answer);
    renderWithApp(<ChangePasswordForm />, bff);
    await fillPasswords(userEvent.setup(), CURRENT, NEW);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
  });

  it('keeps the password and says why when the second factor is not given', async () => {
    const bff = createFakeBff();
    bff.on(ChangePasswordDocument, stepUpRequired);
    renderWithApp(<ChangePasswordForm />, bff);
    const events = userEvent.setup();
    await fillPasswords(events, CURRENT, NEW);
    await events.click(await within(await screen.findByRole('dialog', { name: 'Confirm it is you' })).findByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Changing your password needs you to confirm it is you. Press “Change my password” to try again.');
    expect(bff.variablesOf(ChangePasswordDocument)).toHaveLength(1);
  });
});

describe('changing the email address', () => {
  async function fillEmail(events: Events, email: string, password = CURRENT) {
    const field = screen.getByRole('textbox', { name: 'New email address' });
    await events.clear(field);
    if (email) await events.type(field, email);
    const secret = screen.getByLabelText(/^Current password/, { selector: 'input' });
    await events.clear(secret);
    if (password) await events.type(secret, password);
    await events.click(screen.getByRole('button', { name: 'Change my email address' }));
  }

  it.each([
    ['dana@', CURRENT, 'Enter an email address like name@example.com.'],
    ['Dana@Example.com', CURRENT, 'That is already your email address.'],
    ['new@example.com', '', 'Enter your current password.'],
  ])('checks %j before sending it', async (email, password, problem) => {
    const bff = createFakeBff();
    renderWithApp(<ChangeEmailForm currentEmail="dana@example.com" />, bff);
    await fillEmail(userEvent.setup(), email, password);
    expect(await screen.findByText(problem)).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('asks identity to email the new address, and says the address changes only once its link is opened', async () => {
    const bff = createFakeBff();
    bff.on(ChangeEmailDocument, data({ changeEmail: true }));
    renderWithApp(<ChangeEmailForm currentEmail="dana@example.com" />, bff);
    await fillEmail(userEvent.setup(), '  dana.new@example.com ');
    expect((await screen.findByRole('status')).textContent).toContain(
      'We sent a link to dana.new@example.com. Your address changes when you open it; until then you sign in with dana@example.com.',
    );
    expect(bff.variablesOf(ChangeEmailDocument)).toEqual([{ newEmail: 'dana.new@example.com', currentPassword: CURRENT }]);
  });

  it('shows refusals under their fields', async () => {
    const bff = createFakeBff();
    let answer: FakeAnswer = wrongPassword;
    bff.on(ChangeEmailDocument, () => answer);
    renderWithApp(<ChangeEmailForm currentEmail="dana@example.com" />, bff);
    const events = userEvent.setup();
    await fillEmail(events, 'new@example.com');
    expect(await screen.findByText('That is not your current password.')).toBeTruthy();
    answer = refusal('BAD_USER_INPUT', 'newEmail is not an email address.', { field: 'newEmail' });
    await fillEmail(events, 'new@example.com');
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'New email address' }).getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('newEmail is not an email address.')).toBeTruthy();
  });
});

describe('the email address status', () => {
  it('sends a new verification link for an unverified address', async () => {
    const bff = createFakeBff();
    bff.on(ResendEmailVerificationDocument, data({ resendEmailVerification: true }));
    renderWithApp(<EmailAddressStatus me={{ email: 'dana@example.com', emailVerified: false }} />, bff);
    expect(screen.getByText('Not verified')).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Send the link again' }));
    expect((await screen.findByRole('status')).textContent).toContain('We sent a new link to dana@example.com.');
    expect(bff.variablesOf(ResendEmailVerificationDocument)).toEqual([{}]);
  });

  it('says so when the address was verified meanwhile, and explains a refusal', async () => {
    const bff = createFakeBff();
    let answer: FakeAnswer = refusal('RATE_LIMITED', 'slow down', { retryAfter: 60 }, 429);
    bff.on(ResendEmailVerificationDocument, () => answer);
    renderWithApp(<EmailAddressStatus me={{ email: 'dana@example.com', emailVerified: false }} />, bff);
    const events = userEvent.setup();
    await events.click(screen.getByRole('button', { name: 'Send the link again' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Too many attempts. Try again in 1 minute.');
    answer = data({ resendEmailVerification: false });
    await events.click(screen.getByRole('button', { name: 'Send the link again' }));
    expect(await screen.findByText('Your email address is already verified.')).toBeTruthy();
  });

  it('offers nothing to send for a verified address', () => {
    renderWithApp(<EmailAddressStatus me={{ email: 'dana@example.com', emailVerified: true }} />, createFakeBff());
    expect(screen.getByText('Verified')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
