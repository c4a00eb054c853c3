/** @jest-environment jsdom */
import './support/dom-setup';
import { SendSignInCodeDocument } from '@meridian/client/web';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SignInForm } from '../src/session/sign-in-form';
import { createFakeBff, data, refusal, type FakeBff } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

const user = { id: 'u-1', email: 'ada@example.com', displayName: 'Ada Lovelace', roles: ['CUSTOMER'] };
const session = { id: 's-1', createdAt: '2026-12-07T10:00:00.000Z', expiresAt: '2026-12-07T22:00:00.000Z', idleTimeoutSeconds: 1800 };

function setup(bff: FakeBff = createFakeBff()) {
  const onSignedIn = jest.fn();
  renderWithApp(<SignInForm onSignedIn={onSignedIn} />, bff);
  return { bff, onSignedIn, events: userEvent.setup() };
}

async function submit(events: ReturnType<typeof userEvent.setup>, email: string, password: string) {
  if (email) await events.type(screen.getByRole('textbox', { name: 'Email address' }), email);
  if (password) await events.type(screen.getByLabelText(/^Password/), password);
  await events.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('the sign-in form', () => {
  it('asks for an email address and a password before sending anything', async () => {
    const { bff, events } = setup();
    await submit(events, '', '');
    expect(await screen.findByText('Enter your email address.')).toBeTruthy();
    expect(screen.getByText('Enter your password.')).toBeTruthy();
    await events.type(screen.getByRole('textbox', { name: 'Email address' }), 'not-an-address');
    await events.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter an email address like name@example.com.')).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('signs in with POST /auth/login as JSON and hands over the user', async () => {
    const bff = createFakeBff();
    bff.onRoute('POST /auth/login', (body) => (body?.password === 'plum-orbit-quiet-lantern-47' ? { body: { user, session } } : refusal('UNAUTHENTICATED', 'nope', {}, 401)));
    const { onSignedIn, events } = setup(bff);
    await submit(events, '  ada@example.com ', 'plum-orbit-quiet-lantern-47');
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith({ user, session }));
    expect(bff.calls).toEqual([
      expect.objectContaining({ path: '/auth/login', method: 'POST', headers: expect.objectContaining({ 'content-type': 'application/json' }), body: { email: 'ada@example.com', password: 'plum-orbit-quiet-lantern-47' } }),
    ]);
  });

  it.each([
    ['a wrong password', refusal('UNAUTHENTICATED', 'The email address or password is incorrect.', {}, 401), 'The email address or password is incorrect.'],
    ['the back-off after failed attempts', refusal('RATE_LIMITED', 'Too many', { reason: 'SIGN_IN_BACKOFF', retryAfter: 30 }, 429), 'Too many failed attempts. Try again in 30 seconds.'],
    ['a locked account', refusal('RATE_LIMITED', 'Locked', { reason: 'SIGN_IN_LOCKED', retryAfter: 900 }, 429), 'this account is locked for 15 minutes'],
    ['a refused origin', refusal('FORBIDDEN', 'Requests from x may not act', { reason: 'CSRF' }, 403), 'This sign-in was refused. Reload the page and try again.'],
    ['a lost connection', 'network-error' as const, 'We could not reach Meridian. Check your connection and try again.'],
    ['an unexpected answer', { status: 502, body: '<html>Bad gateway</html>', headers: { 'x-request-id': 'req-42' } }, 'Meridian answered unexpectedly. Try again in a moment. (reference req-42)'],
  ])('explains %s', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.onRoute('POST /auth/login', answer);
    const { onSignedIn, events } = setup(bff);
    await submit(events, 'ada@example.com', 'wrong password');
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it('asks for the second factor the BFF offers when it answers MFA_REQUIRED, and finishes with POST /auth/mfa', async () => {
    const bff = createFakeBff();
    bff.onRoute('POST /auth/login', refusal('MFA_REQUIRED', 'A second factor is required.', { mfaToken: 'mfa-token-1', methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL'], expiresAt: '2026-12-07T10:05:00.000Z' }, 401));
    bff.on(SendSignInCodeDocument, data({ sendSignInCode: { channel: 'EMAIL', sentTo: 'a***@example.com', expiresAt: '2026-12-07T10:05:00.000Z', resendAfter: '2026-12-07T10:00:30.000Z' } }));
    let attempts = 0;
    bff.onRoute('POST /auth/mfa', (body) =>
      ++attempts === 1 ? refusal('INVALID_CODE', 'Wrong code', { reason: 'CODE_INVALID', attemptsRemaining: 4 }, 400) : body?.code === '654321' ? { body: { user, session } } : refusal('INVALID_CODE', 'Wrong code', {}, 400),
    );
    const { onSignedIn, events } = setup(bff);
    await submit(events, 'ada@example.com', 'plum-orbit-quiet-lantern-47');

    // The methods offered, the authenticator app first.
    expect(await screen.findAllByRole('radio')).toHaveLength(3);
    expect(screen.getByRole('radio', { name: 'Authenticator app' })).toHaveProperty('checked', true);
    expect(screen.getByRole('radio', { name: 'A recovery code' })).toBeTruthy();
    expect(screen.queryByRole('radio', { name: 'A code by text message' })).toBeNull();

    await events.click(screen.getByRole('radio', { name: 'A code by email' }));
    await events.click(screen.getByRole('button', { name: 'Email me a code' }));
    expect(await screen.findByText('We sent a code to a***@example.com.')).toBeTruthy();
    expect(bff.variablesOf(SendSignInCodeDocument)).toEqual([{ mfaToken: 'mfa-token-1', channel: 'EMAIL' }]);

    const code = screen.getByRole('textbox', { name: '6-digit code' });
    await events.type(code, '12ab');
    await events.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('The code is 6 digits.')).toBeTruthy();

    await events.clear(code);
    await events.type(code, '111111');
    await events.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('That code is not right, or it has expired. 4 attempts left.');

    await events.clear(code);
    await events.type(code, '654321');
    await events.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith({ user, session }));
    expect(bff.calls.filter((c) => c.path === '/auth/mfa').map((c) => c.body)).toEqual([
      { mfaToken: 'mfa-token-1', method: 'EMAIL', code: '111111' },
      { mfaToken: 'mfa-token-1', method: 'EMAIL', code: '654321' },
    ]);
  });

  it('starts again from the password when the second-factor step has expired', async () => {
    const bff = createFakeBff();
    bff.onRoute('POST /auth/login', refusal('MFA_REQUIRED', 'A second factor is required.', { mfaToken: 'mfa-token-2', methods: ['TOTP'] }, 401));
    bff.onRoute('POST /auth/mfa', refusal('INVALID_CODE', 'This sign-in has expired.', { reason: 'MFA_TOKEN_INVALID' }, 400));
    const { events } = setup(bff);
    await submit(events, 'ada@example.com', 'plum-orbit-quiet-lantern-47');
    await events.type(await screen.findByRole('textbox', { name: '6-digit code' }), '123456');
    await events.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('That sign-in has expired. Sign in again.')).toBeTruthy();
    expect(screen.getByLabelText(/^Password/)).toHaveProperty('value', '');
  });
});
