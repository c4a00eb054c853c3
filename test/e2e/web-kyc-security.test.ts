// The dashboard's KYC onboarding and security screens in a real Chromium against the whole stack,
// the web BFF serving the production build with trusted documents required: a new customer reaches
// tier 2 (details, the phone code from the development mailbox, a passport and a selfie through
// POST /uploads, a renamed file refused), and another verifies their email again, changes password
// and email after a step-up, sets up an authenticator app and keeps its recovery codes, and creates
// an API key that works until it is revoked. Every screen is checked with axe and kept as a screenshot;
// the page may reach no other host and must break no rule of its content policy.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { documentIdOf } from '@meridian/client';
import { MeDocument } from '@meridian/client/web';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import type { Stack } from '../helpers/stack';
import { checkScreen, choose, describeInChromium, expectFitsWidth, expectText, openContext } from '../helpers/web-browser';
import { startWebStack } from '../helpers/web-stack';


const password = 'a long and unusual passphrase';
const origin = { ip: '127.0.0.1', userAgent: 'test', requestId: 'seed' };
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5_000), Buffer.from('\n%%EOF\n')]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), randomBytes(5_000), Buffer.from('ffd9', 'hex')]);
const EXE = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), randomBytes(4_000)]);

describeInChromium('the KYC and security screens in Chromium', () => {
  jest.setTimeout(180_000);
  let stack: Stack;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    // KYC's workers publish its events (the tier change among them), which refresh the BFF's cached reads, as deployed.
    ({ stack, base, browser } = await startWebStack({ KYC_WORKERS: 'true' }));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** A customer registered through identity, as the sign-up would; the address is not verified yet. */
  async function newCustomer(name: string): Promise<string> {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now()}@example.com`;
    await stack.identity.accounts.register({ email, password, displayName: name }, origin);
    return email;
  }

  /** Opens `path` signed out, signs in on the page it leads to, and waits to be back. */
  async function signInAt(page: Page, path: string, email: string): Promise<void> {
    await page.goto(`${base}${path}`);
    await page.waitForURL(/\/sign-in\?redirect=/);
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}${path}`);
  }

  async function stepStates(page: Page): Promise<string[]> {
    return page.getByTestId('kyc-step').allTextContents();
  }

  it('takes a new customer to tier 2: details, phone code, documents, submission', async () => {
    const email = await newCustomer('Kim Newcomer');
    // The renamed executable is refused by POST /uploads with a 400, as it should be.
    const { page, context, problems } = await openContext(browser, { expectedFailure: (status, url) => status === 400 && url.pathname === '/uploads' });
    try {
      await signInAt(page, '/verification', email);
      await expectText(page.getByTestId('kyc-status'), 'Not started');
      await expectText(page.getByTestId('kyc-limits'), '£0.00');
      await checkScreen(page, 'verification-start');
      await page.getByRole('radio', { name: /^Tier 2/ }).check();
      await page.getByRole('button', { name: 'Start verification' }).click();
      await page.getByTestId('kyc-steps').waitFor();
      expect(await stepStates(page)).toEqual(['To doYour personal details', 'To doYour mobile number', 'To doAn identity document', 'To doA selfie']);

      // At a phone's width nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForFunction(() => document.getElementById('main-navigation')?.hasAttribute('inert'));
      await expectFitsWidth(page);
      await checkScreen(page, 'verification-phone-width');
      await page.setViewportSize({ width: 1280, height: 800 });

      // Personal details.
      await page.getByRole('link', { name: 'Your personal details' }).click();
      await page.getByRole('heading', { name: 'Your personal details' }).waitFor();
      await page.getByRole('textbox', { name: 'Legal name' }).fill('Kim Newcomer');
      await page.getByLabel(/^Date of birth/).fill('1992-09-30');
      await page.getByRole('textbox', { name: 'Nationality' }).fill('United King');
      await page.getByRole('option', { name: 'United Kingdom', exact: true }).click();
      await page.getByRole('textbox', { name: 'Address line 1' }).fill('4 Quay Street');
      await page.getByRole('textbox', { name: 'Town or city' }).fill('Bristol');
      await page.getByRole('textbox', { name: 'Postal code' }).fill('bs1 4dj');
      await page.getByRole('textbox', { name: 'Country', exact: true }).fill('United King');
      await page.getByRole('option', { name: 'United Kingdom', exact: true }).click();
      await page.getByRole('button', { name: 'Save my details' }).click();
      await expectText(page.getByRole('status'), 'Your details are saved.');
      await checkScreen(page, 'verification-profile');

      // The mobile number, with the code the development mailbox kept.
      await page.getByRole('link', { name: '← Your verification' }).click();
      await page.getByRole('link', { name: 'Your mobile number' }).click();
      await page.getByRole('textbox', { name: 'Mobile number' }).fill('+44 7911 123456');
      await page.getByRole('button', { name: 'Text me a code' }).click();
      await expectText(page.getByRole('status'), 'We sent a code to +44*******456');
      const sms = await stack.mailbox.latest('+447911123456', 'kyc.phone_code');
      await page.getByRole('textbox', { name: '6-digit code' }).fill(String(sms!.data!.code));
      await page.getByRole('button', { name: 'Verify my number' }).click();
      await expectText(page.getByRole('status'), 'Your mobile number +447911123456 is verified.');
      await checkScreen(page, 'verification-phone');

      // Documents: a passport scan, a renamed executable refused by its content, and a selfie.
      await page.getByRole('link', { name: '← Your verification' }).click();
      await page.getByRole('link', { name: 'An identity document' }).click();
      await page.getByRole('heading', { name: 'Your documents' }).waitFor();
      const file = page.locator('input[type="file"]');
      await file.setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByRole('button', { name: 'Upload' }).click();
      await expectText(page.getByRole('status'), 'Passport added to your verification.');
      await choose(page, 'What is it?', /^Driving licence$/);
      await file.setInputFiles({ name: 'licence.jpg', mimeType: 'image/jpeg', buffer: EXE });
      await page.getByRole('button', { name: 'Upload' }).click();
      await expectText(page.getByRole('alert'), 'Only JPEG, PNG and PDF files can be uploaded.');
      await choose(page, 'What is it?', /^Selfie$/);
      await file.setInputFiles({ name: 'selfie.jpg', mimeType: 'image/jpeg', buffer: JPEG });
      await page.getByRole('button', { name: 'Upload' }).click();
      await expectText(page.getByRole('status'), 'Selfie added to your verification.');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="kyc-document"]').length === 2);
      await checkScreen(page, 'verification-documents');

      // Everything is done: submit, and the provider's answer arrives while the page waits.
      await page.getByRole('link', { name: '← Your verification' }).click();
      await page.getByRole('button', { name: 'Submit for checks' }).click();
      await expectText(page.getByTestId('kyc-status'), 'Verified');
      await page.getByRole('heading', { name: 'Tier 2', exact: true }).waitFor();
      await expectText(page.getByTestId('kyc-limits'), '£25,000.00');
      await page.getByText('You are verified to the highest tier.').waitFor();
      await checkScreen(page, 'verification-verified');
      const documents = await stack.kyc.dataSource.query(`SELECT kind, content_type FROM kyc.documents WHERE user_id = $1 ORDER BY kind`, [await stack.userIdOf(email)]);
      expect(documents).toEqual([
        { kind: 'PASSPORT', content_type: 'application/pdf' },
        { kind: 'SELFIE', content_type: 'image/jpeg' },
      ]);

      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await context.close();
    }
  });

  it('verifies the email, changes password and email after a step-up, sets up an authenticator app, and creates and revokes an API key', async () => {
    const email = await newCustomer('Sam Secure');
    const { page, context, problems } = await openContext(browser);
    try {
      await signInAt(page, '/security', email);
      const emailSection = page.getByRole('region', { name: 'Email address' });
      await expectText(emailSection, 'Not verified');
      await emailSection.getByRole('button', { name: 'Send the link again' }).click();
      await expectText(emailSection.getByRole('status'), `We sent a new link to ${email}.`);
      expect((await stack.latestMail(email, 'identity.email_verification'))?.text).toContain('/verify-email?token=');
      await checkScreen(page, 'security');

      // A new password: identity asks for a second factor first, here a code by email.
      const passwordSection = page.getByRole('region', { name: 'Password' });
      const newPassword = 'a different and longer passphrase';
      await passwordSection.getByLabel(/^Current password/).fill(password);
      await passwordSection.getByLabel(/^New password\s*\*?$/).fill(newPassword);
      await passwordSection.getByLabel(/^New password again/).fill(newPassword);
      await passwordSection.getByRole('button', { name: 'Change my password' }).click();
      const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
      // The user's own factors only: email is one of them (a radio among several, or the only one, named).
      await dialog.getByText('A code by email', { exact: true }).click();
      await dialog.getByRole('button', { name: 'Email me a code' }).click();
      await expectText(dialog, 'We sent a code to');
      const stepUpCode = (await stack.latestMail(email, 'identity.step_up_code'))!.data!.code;
      await dialog.getByRole('textbox', { name: '6-digit code' }).fill(String(stepUpCode));
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await expectText(passwordSection.getByRole('status'), 'Your password is changed.');

      // A new address, with the new password; the step-up still counts.
      const newEmail = `sam.moved.${Date.now()}@example.com`;
      await emailSection.getByRole('textbox', { name: 'New email address' }).fill(newEmail);
      await emailSection.getByLabel(/^Current password/).fill(newPassword);
      await emailSection.getByRole('button', { name: 'Change my email address' }).click();
      await expectText(emailSection.getByRole('status'), `We sent a link to ${newEmail}.`);
      await stack.identity.mail.settled();
      expect((await stack.mailbox.list(newEmail)).length).toBeGreaterThan(0);

      // An authenticator app: the key from the screen makes the first code; the recovery codes are shown once.
      await page.getByRole('link', { name: 'Manage two-step verification' }).click();
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.getByTestId('totp-qr').waitFor();
      expect(await page.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      expect(await page.getByTestId('totp-uri').textContent()).toMatch(/^otpauth:\/\/totp\/Meridian:/);
      await checkScreen(page, 'two-step-setup');
      const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
      const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
      await page.getByRole('textbox', { name: 'Code from the app' }).fill(totp.generate());
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByTestId('recovery-code').first().waitFor();
      const codes = await page.getByTestId('recovery-code').allTextContents();
      expect(codes).toHaveLength(10);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the codes' }).click()]);
      expect(download.suggestedFilename()).toBe('meridian-recovery-codes.txt');
      const saved = fs.readFileSync((await download.path())!, 'utf8');
      for (const code of codes) expect(saved).toContain(code);
      await checkScreen(page, 'two-step-codes');
      await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
      await expectText(page.getByTestId('recovery-codes-left'), '10 of 10 recovery codes left.');
      await checkScreen(page, 'two-step');

      // An API key: its secret shown once, working for the scopes it was given until it is revoked.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('textbox', { name: 'Name' }).fill('Budget export');
      await page.getByRole('button', { name: 'Create the key' }).click();
      const key = (await page.getByTestId('api-key-secret').textContent())!;
      expect(key).toMatch(/^mk_live_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      await page.getByTestId('api-key').filter({ hasText: 'Budget export' }).waitFor();
      const asKey = () =>
        fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `ApiKey ${key}` }, body: JSON.stringify({ documentId: documentIdOf(MeDocument) }) });
      const me = await asKey();
      expect(me.status).toBe(200);
      expect(((await me.json()) as { data: { me: { email: string } } }).data.me.email).toBe(email);
      await checkScreen(page, 'api-keys-created');
      await page.getByRole('button', { name: 'I have stored it' }).click();
      await page.getByRole('button', { name: 'Revoke Budget export' }).click();
      await page.getByRole('dialog', { name: 'Revoke this key?' }).getByRole('button', { name: 'Revoke the key' }).click();
      await expectText(page.getByTestId('api-key').filter({ hasText: 'Budget export' }), 'Revoked');
      await checkScreen(page, 'api-keys');
      // Tokens already exchanged for the key are refused everywhere within a second.
      const deadline = Date.now() + 5_000;
      let refused = await asKey();
      while (refused.status !== 401 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        refused = await asKey();
      }
      expect(refused.status).toBe(401);

      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await context.close();
    }
  });
});
