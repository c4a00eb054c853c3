// The dashboard's staff screens in a real Chromium against identity, banking, KYC, payments and the
// web BFF serving the production build with trusted documents required. A customer's verification
// case waiting for review and a payment the fraud rules held are made through the real APIs; a
// compliance officer with an authenticator app signs in through /auth/login and /auth/mfa, gives a
// reason once, reviews and approves the case (personal data revealed, a document viewed through
// /kyc/documents), approves the payment and looks the payee up. A customer who opens a staff
// screen is told it is not for them, and the API refuses them anyway. Every read is audited with
// the reason. Each screen is checked with axe and kept as a screenshot; the page may reach no
// other host and must break no rule of its content policy. Skips where Debian's chromium is absent.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { createMeridianClient, documentIdOf } from '@meridian/client';
import {
  ConfirmPaymentDocument,
  CreatePaymentDocument,
  LoginDocument,
  OpenAccountDocument,
  RegisterDocument,
  RequestPhoneCodeDocument,
  StartVerificationDocument,
  SubmitVerificationDocument,
  UpdateKycProfileDocument,
  UploadKycDocumentDocument,
  VerifyPhoneCodeDocument,
} from '@meridian/client/mobile';
import { ConfirmTotpDocument, EnrolTotpDocument, KycReviewQueueDocument, SendSignInCodeDocument } from '@meridian/client/web';
import { seedDemoKyc } from '@meridian/kyc';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { WEB_HOST, WEB_ORIGIN, type Stack } from '../helpers/stack';
import { checkScreen, describeInChromium, expectFitsWidth, expectText, openContext } from '../helpers/web-browser';
import { startWebStack } from '../helpers/web-stack';


const password = 'a long and unusual passphrase';
const REASON = 'Ticket 5120: weekly compliance review';

/** A real PNG (a small gradient), as a phone camera would upload one. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) rows.set([40 + (x * 200) / width, 90, 160 + (y * 90) / height], row + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

describeInChromium('the staff screens in Chromium', () => {
  jest.setTimeout(180_000);
  let stack: Stack;
  let browser: Browser;
  let base: string;
  let mobileBase: string;
  const officer = { email: `officer.${Date.now()}@meridian.bank`, totp: undefined as unknown as TOTP };
  let applicant: { email: string; caseId: string; userId: string };
  let payer: { email: string };
  let payee: { email: string; userId: string };

  /** A customer signed in on a phone through the mobile BFF, and a client for them. */
  async function customer(displayName: string) {
    const email = `staff-e2e.${randomUUID()}@example.com`;
    const deviceId = `phone-${randomUUID().slice(0, 8)}`;
    let accessToken = '';
    const api = createMeridianClient({ url: `${mobileBase}/graphql`, client: 'mobile', deviceId, getAccessToken: () => accessToken || null });
    await api.request(RegisterDocument, { input: { email, password, displayName } });
    const { login } = await api.request(LoginDocument, { input: { email, password, deviceId } });
    accessToken = login.accessToken;
    return { api, email, userId: login.user.id, accessToken };
  }

  /** A verification case for tier 1 with a passport photo, in review because the provider's check says CONSIDER. */
  async function caseInReview() {
    const { api, email, userId, accessToken } = await customer('Fay Consider');
    const started = (await api.request(StartVerificationDocument, { input: { targetTier: 'TIER_1' } })).startVerification;
    await api.request(UpdateKycProfileDocument, {
      input: { legalName: 'Fay Consider', dateOfBirth: '1985-01-20', nationality: 'IE', address: { line1: '9 Dock Road', city: 'Dublin', postalCode: 'D02 X285', country: 'IE' } },
    });
    const phone = '+447911123488';
    await api.request(RequestPhoneCodeDocument, { phone });
    await api.request(VerifyPhoneCodeDocument, { code: (await stack.mailbox.latest(phone, 'kyc.phone_code'))!.data!.code });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png(240, 160))], { type: 'image/png' }), 'passport.png');
    const uploaded = await fetch(`${mobileBase}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` }, body: form });
    expect(uploaded.status).toBe(201);
    const { uploadId } = (await uploaded.json()) as { uploadId: string };
    await api.request(UploadKycDocumentDocument, { input: { caseId: started.id, uploadId, kind: 'PASSPORT' } });
    await api.request(SubmitVerificationDocument, { caseId: started.id });
    // The simulated provider answers over its webhook: wait for the case to reach review.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [row] = await stack.kyc.dataSource.query(`SELECT state FROM kyc.cases WHERE id = $1`, [started.id]);
      if (row?.state === 'NEEDS_REVIEW') break;
      if (Date.now() > deadline) throw new Error(`the case did not reach review: ${row?.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { email, caseId: started.id, userId };
  }

  /** A verified payer's first payment of £600.00 to someone new: above £500.00, the fraud rules hold it. */
  async function heldPayment() {
    const from = await customer('Priya Payer');
    const to = await customer('Ana Payee');
    await seedDemoKyc(stack.kyc, from.userId);
    const fromAccount = (await from.api.request(OpenAccountDocument, { input: { type: 'CURRENT', currency: 'GBP' } })).openAccount;
    await to.api.request(OpenAccountDocument, { input: { type: 'CURRENT', currency: 'GBP', name: 'Everyday' } });
    const clearing = await stack.banking.accounts.systemAccount('CLEARING', 'GBP');
    await stack.banking.ledger.createTransfer({
      id: randomUUID(),
      code: 'DEPOSIT',
      description: 'Salary',
      postings: [
        { accountId: clearing.id, direction: 'DEBIT', amount: 2_000_00n, currency: 'GBP' },
        { accountId: fromAccount.id, direction: 'CREDIT', amount: 2_000_00n, currency: 'GBP' },
      ],
    });
    const input = { kind: 'P2P' as const, accountId: fromAccount.id, amount: '600.00', currency: 'GBP' as const, recipient: { email: to.email }, description: 'Flat deposit' };
    const created = (await from.api.request(CreatePaymentDocument, { input, idempotencyKey: randomUUID() })).createPayment;
    const confirmed = (await from.api.request(ConfirmPaymentDocument, { id: created.id, idempotencyKey: randomUUID() })).confirmPayment;
    expect(confirmed.status).toBe('REQUIRES_REVIEW');
    return { payer: { email: from.email }, payee: { email: to.email, userId: to.userId } };
  }

  /** A trusted document sent to the web BFF with a session cookie, as the dashboard sends it. */
  async function webCall(cookie: string, document: Parameters<typeof documentIdOf>[0], variables: Record<string, unknown> = {}) {
    const res = await stack.web.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN, cookie },
      payload: { documentId: documentIdOf(document), variables },
    });
    return res.json() as { data?: any; errors?: { extensions?: Record<string, unknown> }[] };
  }

  /**
   * The officer signed in to the web BFF with the code identity emails (staff give a second factor),
   * sending only trusted documents; answers the session cookie.
   */
  async function officerSignIn(): Promise<string> {
    const post = (url: string, payload: Record<string, unknown>) =>
      stack.web.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN }, payload });
    const login = await post('/auth/login', { email: officer.email, password });
    const mfaToken = login.json().errors[0].extensions.mfaToken as string;
    const sent = await post('/graphql', { documentId: documentIdOf(SendSignInCodeDocument), variables: { mfaToken, channel: 'EMAIL' } });
    expect(sent.json().errors).toBeUndefined();
    const code = (await stack.latestMail(officer.email, 'identity.sign_in_code'))!.data!.code;
    const done = await post('/auth/mfa', { mfaToken, method: 'EMAIL', code });
    expect(done.statusCode).toBe(200);
    const cookie = done.cookies.find((c) => c.name.endsWith('meridian-session'))!;
    return `${cookie.name}=${cookie.value}`;
  }

  beforeAll(async () => {
    ({ stack, base, browser } = await startWebStack());
    await stack.mobile.app.listen({ port: 0, host: '127.0.0.1' });
    mobileBase = `http://127.0.0.1:${(stack.mobile.app.server.address() as AddressInfo).port}`;

    applicant = await caseInReview();
    ({ payer, payee } = await heldPayment());

    // A compliance officer (staff must sign in with a second factor) who set up an authenticator app.
    await stack.identity.accounts.register({ email: officer.email, password, displayName: 'Olu Officer' }, { ip: '127.0.0.1', userAgent: 'test', requestId: 'staff-e2e' }, ['COMPLIANCE']);
    const cookie = await officerSignIn();
    const { secret } = (await webCall(cookie, EnrolTotpDocument)).data!.enrolTotp;
    officer.totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    // The previous step's code confirms it, so the current one is left for the browser's sign-in.
    expect((await webCall(cookie, ConfirmTotpDocument, { code: officer.totp.generate({ timestamp: Date.now() - 30_000 }) })).errors).toBeUndefined();

  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function signIn(page: Page, email: string): Promise<void> {
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('tells a customer who opens a staff screen that it is not for them; the API refuses them too', async () => {
    const { context, page, problems } = await openContext(browser);
    try {
      await page.goto(`${base}/staff/kyc`);
      await page.waitForURL(/\/sign-in\?redirect=%2Fstaff%2Fkyc$/);
      await signIn(page, payer.email);
      await page.waitForURL(`${base}/staff/kyc`);
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      await expectText(page.getByRole('main'), 'This page is for Meridian staff');
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'KYC reviews' }).count()).toBe(0);
      expect(await page.getByRole('dialog').count()).toBe(0);
      await checkScreen(page, 'staff-not-allowed');

      const cookie = (await context.cookies()).filter((c) => c.name.endsWith('meridian-session')).map((c) => `${c.name}=${c.value}`)[0];
      const refused = await webCall(cookie, KycReviewQueueDocument, { first: 20, reason: REASON });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await context.close();
    }
  });

  it('lets a compliance officer sign in with an authenticator app, give a reason once, decide a KYC case and a held payment, and look a customer up', async () => {
    // The password alone answers 401 MFA_REQUIRED, as it should for staff.
    const { context, page, problems } = await openContext(browser, { expectedFailure: (status, url) => status === 401 && url.pathname === '/auth/login' });
    try {
      // Sign-in: the password, then the authenticator app's code (POST /auth/login, then /auth/mfa).
      await page.goto(`${base}/staff/kyc`);
      await page.waitForURL(/\/sign-in\?redirect=%2Fstaff%2Fkyc$/);
      await signIn(page, officer.email);
      await page.getByRole('radio', { name: 'Authenticator app' }).check();
      await page.getByRole('textbox', { name: '6-digit code' }).fill(officer.totp.generate());
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/staff/kyc`);

      // The reason, asked once for the review session.
      const dialog = page.getByRole('dialog', { name: 'Why are you looking?' });
      await dialog.waitFor();
      await checkScreen(page, 'staff-reason');
      await dialog.getByRole('textbox', { name: 'Reason for looking' }).fill(REASON);
      await dialog.getByRole('button', { name: 'Use this reason' }).click();

      // The KYC queue, names masked.
      const queued = page.getByTestId('kyc-case').filter({ has: page.getByRole('link', { name: 'F** C******' }) });
      await queued.waitFor();
      await expectText(queued, 'Provider consider');
      await checkScreen(page, 'staff-kyc-queue');

      // The case: personal data revealed (the sign-in's second factor is recent), the passport viewed.
      await queued.getByRole('link').click();
      await page.waitForURL(`${base}/staff/kyc/${applicant.caseId}`);
      const personal = page.getByTestId('kyc-personal-data');
      await expectText(personal, 'F** C******');
      await page.getByRole('button', { name: 'Reveal personal data' }).click();
      await expectText(personal, 'Fay Consider');
      await expectText(personal, '9 Dock Road, Dublin, D02 X285, IE');
      await page.getByRole('button', { name: 'View the passport' }).click();
      const passport = page.getByRole('img', { name: /^Passport uploaded/ });
      await passport.waitFor();
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>('img[alt^="Passport uploaded"]');
        return img !== null && img.complete && img.naturalWidth === 240;
      });
      await checkScreen(page, 'staff-kyc-case');
      await page.getByRole('radio', { name: /^Approve/ }).check();
      await page.getByRole('textbox', { name: 'Reason for the decision' }).fill('Identity records checked by hand.');
      await page.getByRole('button', { name: 'Record the decision' }).click();
      await expectText(page.getByRole('status').filter({ hasText: 'Decision recorded' }), 'Approved: the customer now holds Tier 1.');
      await page.getByText('Approved', { exact: true }).first().waitFor();
      expect((await stack.kyc.dataSource.query(`SELECT tier FROM kyc.profiles WHERE user_id = $1`, [applicant.userId]))[0].tier).toBe('TIER_1');

      // The payment review queue: the same reason, no second question; approve the held payment.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payment reviews' }).click();
      const held = page.getByTestId('held-payment').filter({ hasText: '£600.00 to Ana Payee' });
      await held.waitFor();
      expect(await page.getByRole('dialog').count()).toBe(0);
      await expectText(held, 'Large first payment to someone new');
      await checkScreen(page, 'staff-payment-review');
      await held.getByRole('button', { name: 'Approve £600.00 to Ana Payee' }).click();
      const approve = page.getByRole('dialog', { name: 'Approve £600.00 to Ana Payee?' });
      await approve.getByRole('textbox', { name: 'Reason for the decision' }).fill('Deposit confirmed with the customer by phone.');
      await checkScreen(page, 'staff-payment-decision');
      await approve.getByRole('button', { name: 'Approve the payment' }).click();
      await expectText(page.getByRole('status').filter({ hasText: 'Decision recorded' }), '£600.00 to Ana Payee: approved');
      await page.getByText('No payment is held for review.').waitFor();

      // Customer lookup: the payee by email, then what the bank holds about them, with the money received.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customer lookup' }).click();
      await page.getByRole('textbox', { name: 'Email address or customer ID' }).fill(payee.email);
      await page.getByRole('button', { name: 'Find' }).click();
      const found = page.getByTestId('found-customer');
      await expectText(found, payee.email);
      await checkScreen(page, 'staff-customer-lookup');
      await found.getByRole('link', { name: 'Ana Payee' }).click();
      await page.waitForURL(`${base}/staff/customers/${payee.userId}`);
      await expectText(page.getByTestId('customer-account').filter({ hasText: 'Everyday' }).getByTestId('customer-account-available'), '£600.00');
      await checkScreen(page, 'staff-customer');

      // At a phone's width nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('button', { name: 'Open navigation' }).waitFor();
      await expectFitsWidth(page);
      await checkScreen(page, 'staff-customer-phone');

      // Every read was audited with the reason: KYC's queue, case, personal data (revealed) and document; payments' queue; identity's lookups.
      const officerId = await stack.userIdOf(officer.email);
      const kycAudit: { action: string; reason: string }[] = await stack.kyc.dataSource.query(`SELECT action, reason FROM kyc.audit_log WHERE actor_id = $1`, [officerId]);
      expect(new Set(kycAudit.map((a) => a.action))).toEqual(new Set(['REVIEW_QUEUE_READ', 'CASE_READ', 'PERSONAL_DATA_READ', 'DOCUMENT_READ', 'CASE_DECIDED']));
      expect(kycAudit.filter((a) => a.action !== 'CASE_DECIDED').every((a) => a.reason === REASON)).toBe(true);
      const paymentsAudit: { operation: string; reason: string }[] = await stack.payments.dataSource.query(`SELECT operation, reason FROM payments.staff_audit WHERE staff_user_id = $1`, [officerId]);
      expect(paymentsAudit.find((a) => a.operation === 'Query.paymentReviewQueue')?.reason).toBe(REASON);
      expect(paymentsAudit.find((a) => a.operation === 'Mutation.decidePayment:APPROVE')?.reason).toBe('Deposit confirmed with the customer by phone.');
      const lookups: { details: { reason: string } }[] = await stack.identity.dataSource.query(`SELECT details FROM identity.audit_events WHERE type = 'STAFF_READ' AND details->>'actorId' = $1`, [officerId]);
      expect(lookups.length).toBeGreaterThanOrEqual(2);
      expect(lookups.every((l) => l.details.reason === REASON)).toBe(true);

      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await context.close();
    }
  });
});
