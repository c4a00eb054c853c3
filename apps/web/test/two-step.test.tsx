/** @jest-environment jsdom */
import './support/dom-setup';
import { ConfirmTotpDocument, DisableTotpDocument, EnrolTotpDocument, MfaStatusDocument, RegenerateRecoveryCodesDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RecoveryCodes, recoveryCodesFile } from '../src/security/recovery-codes';
import { TotpEnrolment } from '../src/security/totp-enrolment';
import { createFakeBff, data, refusal } from './support/fake-bff';
import { FIRST_RENDER, openAppAt, signedInAs } from './support/open-app-at';
import { renderWithApp } from './support/render-with-app';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const URI = `otpauth://totp/Meridian:dana%40example.com?secret=${SECRET}&issuer=Meridian&algorithm=SHA1&digits=6&period=30`;
const QR = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-efg${i}h`);

const enrolment = data({ enrolTotp: { secret: SECRET, uri: URI, qrCode: QR } });
const mfaStatus = (totpEnabled: boolean, recoveryCodesLeft = 10) =>
  data({
    me: {
      id: 'user-1',
      mfa: {
        totpEnabled,
        totpEnabledAt: totpEnabled ? '2026-12-07T10:00:00.000Z' : null,
        recoveryCodesLeft,
        methods: totpEnabled ? ['TOTP', 'RECOVERY_CODE', 'EMAIL'] : ['EMAIL'],
        required: totpEnabled,
      },
    },
  });

describe('setting up an authenticator app', () => {
  it('shows the QR code, the otpauth link and the key, then turns it on with a first code', async () => {
    const bff = createFakeBff();
    bff.on(EnrolTotpDocument, enrolment);
    bff.on(ConfirmTotpDocument, (variables) =>
      variables.code === '123456' ? data({ confirmTotp: { codes: CODES } }) : refusal('INVALID_CODE', 'The code is not right.', { field: 'code', reason: 'CODE_INVALID' }),
    );
    const onConfirmed = jest.fn();
    renderWithApp(<TotpEnrolment onConfirmed={onConfirmed} />, bff);
    const events = userEvent.setup();
    await events.click(screen.getByRole('button', { name: 'Set up an authenticator app' }));
    expect((await screen.findByRole('img', { name: 'QR code to scan with your authenticator app' })).getAttribute('src')).toBe(QR);
    expect(screen.getByRole('link', { name: 'this set-up link' }).getAttribute('href')).toBe(URI);
    expect(screen.getByTestId('totp-uri').textContent).toBe(URI);
    expect(screen.getByTestId('totp-secret').textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');

    const code = screen.getByRole('textbox', { name: 'Code from the app' });
    await events.type(code, '12345');
    await events.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findByText('Enter the 6-digit code the app shows now.')).toBeTruthy();
    expect(bff.variablesOf(ConfirmTotpDocument)).toEqual([]);

    await events.clear(code);
    await events.type(code, '654321');
    await events.click(screen.getByRole('button', { name: 'Turn on' }));
    expect((await screen.findByRole('alert')).textContent).toContain('That code is not right. Use the newest code the app shows');
    await events.clear(code);
    await events.type(code, '123 456');
    await events.click(screen.getByRole('button', { name: 'Turn on' }));
    await waitFor(() => expect(onConfirmed).toHaveBeenCalledWith(CODES));
    expect(bff.variablesOf(ConfirmTotpDocument).at(-1)).toEqual({ code: '123456' });
  });

  it('offers to start again when the set-up expired, with a new secret', async () => {
    const bff = createFakeBff();
    bff.on(EnrolTotpDocument, enrolment);
    bff.on(ConfirmTotpDocument, refusal('CONFLICT', 'Start with enrolTotp.', { reason: 'MFA_NOT_ENROLLING' }));
    renderWithApp(<TotpEnrolment onConfirmed={jest.fn()} />, bff);
    const events = userEvent.setup();
    await events.click(screen.getByRole('button', { name: 'Set up an authenticator app' }));
    await events.type(await screen.findByRole('textbox', { name: 'Code from the app' }), '123456');
    await events.click(screen.getByRole('button', { name: 'Turn on' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This set-up has expired or was replaced. Start again.');
    await events.click(screen.getByRole('button', { name: 'Start again' }));
    await waitFor(() => expect(bff.variablesOf(EnrolTotpDocument)).toHaveLength(2));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('explains an app already set up', async () => {
    const bff = createFakeBff();
    bff.on(EnrolTotpDocument, refusal('CONFLICT', 'already', { reason: 'MFA_ALREADY_ENABLED' }));
    renderWithApp(<TotpEnrolment onConfirmed={jest.fn()} />, bff);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Set up an authenticator app' }));
    expect((await screen.findByRole('alert')).textContent).toContain('An authenticator app is already set up.');
  });
});

describe('the recovery codes', () => {
  it('lists the ten codes once, to copy or download, until the person says they are kept', async () => {
    const onDone = jest.fn();
    renderWithApp(<RecoveryCodes codes={CODES} onDone={onDone} />, createFakeBff());
    expect(screen.getAllByTestId('recovery-code').map((c) => c.textContent)).toEqual(CODES);
    const download = screen.getByRole('link', { name: 'Download the codes' });
    expect(download.getAttribute('download')).toBe('meridian-recovery-codes.txt');
    expect(decodeURIComponent(download.getAttribute('href')!.replace(/^data:text\/plain;charset=utf-8,/, ''))).toBe(recoveryCodesFile(CODES));
    expect(recoveryCodesFile(CODES).split('\n')).toEqual(expect.arrayContaining(CODES));
    await userEvent.setup().click(screen.getByRole('button', { name: 'I have saved my recovery codes' }));
    expect(onDone).toHaveBeenCalledTimes(1);
  });
});

describe('the two-step screen', () => {
  it('turns the app on and shows the recovery codes until they are kept, then the app as on', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    let enabled = false;
    bff.on(MfaStatusDocument, () => mfaStatus(enabled));
    bff.on(EnrolTotpDocument, enrolment);
    bff.on(ConfirmTotpDocument, () => {
      enabled = true;
      return data({ confirmTotp: { codes: CODES } });
    });
    const { events } = openAppAt('/security/two-step', bff);
    expect((await screen.findByTestId('mfa-methods', {}, FIRST_RENDER)).textContent).toBe('Confirming a sensitive change asks for a code by email.');
    await events.click(screen.getByRole('button', { name: 'Set up an authenticator app' }));
    await events.type(await screen.findByRole('textbox', { name: 'Code from the app' }), '123456');
    await events.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findAllByTestId('recovery-code')).toHaveLength(10);
    await events.click(screen.getByRole('button', { name: 'I have saved my recovery codes' }));
    expect((await screen.findByTestId('recovery-codes-left')).textContent).toContain('10 of 10 recovery codes left.');
    expect(screen.getByTestId('mfa-methods').textContent).toBe('Each sign-in asks for a code from your authenticator app, a recovery code or a code by email.');
  });

  it('renews the recovery codes, and turns the app off after asking', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    let enabled = true;
    bff.on(MfaStatusDocument, () => mfaStatus(enabled, 2));
    bff.on(RegenerateRecoveryCodesDocument, data({ regenerateRecoveryCodes: { codes: CODES } }));
    bff.on(DisableTotpDocument, () => {
      enabled = false;
      return data({ disableTotp: true });
    });
    const { events } = openAppAt('/security/two-step', bff);
    expect((await screen.findByTestId('recovery-codes-left', {}, FIRST_RENDER)).textContent).toBe('2 of 10 recovery codes left. Get new ones before you run out.');
    await events.click(screen.getByRole('button', { name: 'Get new recovery codes' }));
    expect(await screen.findAllByTestId('recovery-code')).toHaveLength(10);
    await events.click(screen.getByRole('button', { name: 'I have saved my recovery codes' }));

    await events.click(await screen.findByRole('button', { name: 'Turn off' }));
    const dialog = await screen.findByRole('dialog', { name: 'Turn off the authenticator app?' });
    await events.click(within(dialog).getByRole('button', { name: 'Turn off' }));
    expect(await screen.findByRole('button', { name: 'Set up an authenticator app' })).toBeTruthy();
    expect(bff.variablesOf(DisableTotpDocument)).toHaveLength(1);
  });

  it('explains a renewal refused because the app was turned off elsewhere', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    bff.on(MfaStatusDocument, mfaStatus(true));
    bff.on(RegenerateRecoveryCodesDocument, refusal('CONFLICT', 'Recovery codes come with an authenticator app.', { reason: 'MFA_NOT_ENABLED' }));
    const { events } = openAppAt('/security/two-step', bff);
    await events.click(await screen.findByRole('button', { name: 'Get new recovery codes' }, FIRST_RENDER));
    expect((await screen.findByRole('alert')).textContent).toContain('No authenticator app is set up any more. Reload the page.');
  });
});
