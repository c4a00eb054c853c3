/** @jest-environment jsdom */
import './support/dom-setup';
import { RequestPhoneCodeDocument, VerifyPhoneCodeDocument } from '@meridian/client/web';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PhoneVerificationForm } from '../src/kyc/phone-verification-form';
import { createFakeBff, data, refusal, type FakeAnswer, type FakeBff } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;

const sent = data({ requestPhoneCode: { phone: '+44*******456', expiresAt: '2026-12-07T10:10:00.000Z', resendAfter: '2026-12-07T10:01:00.000Z' } });
const verified = data({ verifyPhoneCode: { phone: { value: '+447911123456', status: 'VERIFIED', source: 'PHONE_CODE', verifiedAt: '2026-12-07T10:02:00.000Z' } } });

function setup(bff: FakeBff) {
  const onVerified = jest.fn();
  renderWithApp(<PhoneVerificationForm phone={null} onVerified={onVerified} />, bff);
  return { onVerified, events: userEvent.setup() };
}

async function askForCode(events: Events, number = '+44 7911 123456') {
  await events.type(screen.getByRole('textbox', { name: 'Mobile number' }), number);
  await events.click(screen.getByRole('button', { name: 'Text me a code' }));
}

async function enterCode(events: Events, code: string) {
  const field = await screen.findByRole('textbox', { name: '6-digit code' });
  await events.clear(field);
  await events.type(field, code);
  await events.click(screen.getByRole('button', { name: 'Verify my number' }));
}

describe('the phone verification', () => {
  it.each(['07911 123456', '+44', 'call me'])('asks for a number in international form, not %j', async (number) => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await askForCode(events, number);
    expect(await screen.findByText(/Write the number in international form/)).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('texts a code, refuses a wrong one with the tries left, and verifies the right one', async () => {
    const bff = createFakeBff();
    bff.on(RequestPhoneCodeDocument, sent);
    bff.on(VerifyPhoneCodeDocument, (variables) =>
      variables.code === '246810' ? verified : refusal('BAD_USER_INPUT', 'The code is not right.', { field: 'code', reason: 'CODE_INVALID', attemptsRemaining: 4 }),
    );
    const { events, onVerified } = setup(bff);
    await askForCode(events);
    expect((await screen.findByText(/We sent a code to \+44\*{7}456/)).textContent).toMatch(/you can ask for another after/);
    expect(bff.variablesOf(RequestPhoneCodeDocument)).toEqual([{ phone: '+44 7911 123456' }]);

    await enterCode(events, '12ab');
    expect(await screen.findByText('The code is the 6 digits we sent.')).toBeTruthy();
    expect(bff.variablesOf(VerifyPhoneCodeDocument)).toEqual([]);

    await enterCode(events, '111111');
    expect((await screen.findByRole('alert')).textContent).toContain('That code is not right. 4 tries left.');
    await enterCode(events, '246810');
    expect((await screen.findByText(/Your mobile number \+447911123456 is verified\./)).closest('[role="status"]')).toBeTruthy();
    await waitFor(() => expect(onVerified).toHaveBeenCalledWith(expect.objectContaining({ value: '+447911123456', status: 'VERIFIED' })));
    expect(screen.queryByRole('textbox', { name: '6-digit code' })).toBeNull();
  });

  it.each([
    ['CODE_EXPIRED', 'That code has expired. Ask for a new one.'],
    ['CODE_ATTEMPTS_EXCEEDED', 'Too many wrong codes. Ask for a new one.'],
    ['CODE_NOT_REQUESTED', 'Ask for a code first.'],
  ])('explains a code refused with %s', async (reason, message) => {
    const bff = createFakeBff();
    bff.on(RequestPhoneCodeDocument, sent);
    bff.on(VerifyPhoneCodeDocument, refusal('BAD_USER_INPUT', 'refused', { field: 'code', reason }));
    const { events } = setup(bff);
    await askForCode(events);
    await enterCode(events, '123456');
    expect((await screen.findByRole('alert')).textContent).toContain(message);
  });

  it.each<[string, FakeAnswer, string]>([
    ['a landline', refusal('BAD_USER_INPUT', 'Codes are sent by SMS: give a mobile number.', { field: 'phone', reason: 'PHONE_NOT_MOBILE' }), 'That looks like a landline.'],
    ['an impossible number', refusal('BAD_USER_INPUT', 'The phone number is not valid.', { field: 'phone', reason: 'PHONE_INVALID' }), 'That is not a phone number we can use.'],
    [
      'a second code too soon',
      refusal('RATE_LIMITED', 'A code was sent moments ago; ask again in 42 s.', { retryAfter: 42, reason: 'CODE_RESEND_TOO_SOON' }, 429),
      'A code was sent a moment ago. You can ask for another in 42 seconds.',
    ],
    ['too many codes for the number', refusal('RATE_LIMITED', 'Too many codes.', { retryAfter: 1800 }, 429), 'Too many codes were asked for. Try again in 30 minutes.'],
    ['an SMS service that failed', refusal('SERVICE_UNAVAILABLE', 'not sent', {}, 503), 'We could not send the text message just now.'],
  ])('explains %s', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.on(RequestPhoneCodeDocument, answer);
    const { events } = setup(bff);
    await askForCode(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(screen.queryByRole('textbox', { name: '6-digit code' })).toBeNull();
  });
});
