import { randomBytes } from 'node:crypto';
import { createMeridianClient, documentIdOf, MeridianError } from '@meridian/client';
import { DecideKycCaseDocument, KycCaseDocument, KycReviewQueueDocument } from '@meridian/client/web';
import {
  KycDocument,
  LoginDocument,
  RegisterDocument,
  RequestPhoneCodeDocument,
  StartVerificationDocument,
  SubmitVerificationDocument,
  UpdateKycProfileDocument,
  UploadKycDocumentDocument,
  VerifyPhoneCodeDocument,
} from '@meridian/client/mobile';
import type { AddressInfo } from 'node:net';
import { startStack, WEB_HOST, WEB_ORIGIN, type Stack } from '../helpers/stack';

// A new customer goes from TIER_0 to TIER_2 through the mobile BFF as the app does it: trusted
// documents only, the phone code read from the development mailbox, files through POST /uploads,
// the simulated provider answering over its signed webhook.

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5_000), Buffer.from('\n%%EOF\n')]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), randomBytes(5_000), Buffer.from('ffd9', 'hex')]);

let stack: Stack;
let base: string;
beforeAll(async () => {
  // KYC's workers publish its events (the tier change among them), which refresh the BFF's cached reads, as deployed.
  stack = await startStack({ MOBILE_TRUSTED_DOCUMENTS: 'required', KYC_WORKERS: 'true' });
  await stack.mobile.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(stack.mobile.app.server.address() as AddressInfo).port}`;
});
afterAll(() => stack.close());

async function upload(token: string, file: Buffer, name: string, type: string): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)], { type }), name);
  const res = await fetch(`${base}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: await res.json() };
}

/** A new customer signed in on a phone, and a client for them that sends only trusted-document ids. */
async function newCustomer(displayName: string, deviceId: string) {
  const email = `kyc.${deviceId}.${Date.now()}@example.com`;
  const password = 'a long and unusual passphrase';
  let accessToken = '';
  const api = createMeridianClient({ url: `${base}/graphql`, client: 'mobile', deviceId, getAccessToken: () => accessToken || null });
  await api.request(RegisterDocument, { input: { email, password, displayName } });
  const { login } = await api.request(LoginDocument, { input: { email, password, deviceId } });
  accessToken = login.accessToken;
  return { api, accessToken, userId: login.user.id };
}

/** Reads until `done` (the checks run in the background: a loaded machine may take many seconds), or gives the last read. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('KYC through the mobile BFF', () => {
  jest.setTimeout(180_000);
  it('takes a new customer from TIER_0 to TIER_2 with the simulated provider and the dev mailbox', async () => {
    const { api, accessToken, userId } = await newCustomer('Kim Newcomer', 'phone-0001');

    const before = (await api.request(KycDocument)).me!.kyc;
    expect(before).toMatchObject({ tier: 'TIER_0', status: 'NOT_STARTED', nextSteps: ['START_VERIFICATION'], limits: { singlePayment: '0.00' } });

    const started = (await api.request(StartVerificationDocument, { input: { targetTier: 'TIER_2' } })).startVerification;
    expect(started).toMatchObject({ state: 'DRAFT', targetTier: 'TIER_2' });
    await api.request(UpdateKycProfileDocument, {
      input: { legalName: 'Kim Newcomer', dateOfBirth: '1992-09-30', nationality: 'GB', address: { line1: '4 Quay Street', city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB' } },
    });
    const phone = '+447911123456';
    const sent = (await api.request(RequestPhoneCodeDocument, { phone })).requestPhoneCode;
    expect(sent.phone).toBe('+44*******456');
    const message = await stack.mailbox.latest(phone, 'kyc.phone_code');
    expect(message?.text).toContain(message?.data?.code);
    const verified = (await api.request(VerifyPhoneCodeDocument, { code: message!.data!.code })).verifyPhoneCode;
    expect(verified.phone).toMatchObject({ value: phone, status: 'VERIFIED', source: 'PHONE_CODE' });

    const passport = await upload(accessToken, PDF, 'passport.pdf', 'application/pdf');
    const selfie = await upload(accessToken, JPEG, 'selfie.jpg', 'image/jpeg');
    expect([passport.status, selfie.status]).toEqual([201, 201]);
    await api.request(UploadKycDocumentDocument, { input: { caseId: started.id, uploadId: passport.body.uploadId, kind: 'PASSPORT' } });
    const attached = (await api.request(UploadKycDocumentDocument, { input: { caseId: started.id, uploadId: selfie.body.uploadId, kind: 'SELFIE' } })).uploadKycDocument;
    expect(attached).toMatchObject({ kind: 'SELFIE', contentType: 'image/jpeg', size: JPEG.length });

    const submitted = (await api.request(SubmitVerificationDocument, { caseId: started.id })).submitVerification;
    expect(['PROCESSING', 'APPROVED']).toContain(submitted.state);
    const after = await until(
      async () => (await api.request(KycDocument)).me!.kyc,
      (kyc) => kyc.tier === 'TIER_2',
    );
    expect(after).toMatchObject({ tier: 'TIER_2', status: 'VERIFIED', nextSteps: [], limits: { tier: 'TIER_2', daily: '50000.00' } });
    expect(after.profile.legalName).toMatchObject({ value: 'Kim Newcomer', status: 'VERIFIED', source: 'PROVIDER' });
    expect(after.currentCase?.documents.map((d) => d.kind).sort()).toEqual(['PASSPORT', 'SELFIE']);

    // The customer reads their own document back through the BFF; nobody else can.
    const documentId = after.currentCase!.documents.find((d) => d.kind === 'SELFIE')!.id;
    const own = await fetch(`${base}/kyc/documents/${documentId}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await own.arrayBuffer()).equals(JPEG)).toBe(true);
    expect((await fetch(`${base}/kyc/documents/${documentId}`)).status).toBe(401);
    // A malformed id is answered by the BFF itself, in the error shape.
    const malformed = await fetch(`${base}/kyc/documents/not-a-document`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(malformed.status).toBe(404);
    expect((await malformed.json()).errors[0].extensions.code).toBe('NOT_FOUND');

    const events = await stack.kyc.dataSource.query(`SELECT event_type, payload->>'to' AS to FROM kyc.outbox WHERE aggregate_id = $1`, [userId]);
    expect(events).toEqual([{ event_type: 'kyc.tier.changed', to: 'TIER_2' }]);
  });

  it('answers bad input with clear codes through the BFF', async () => {
    const { api, accessToken } = await newCustomer('Bad Input', 'phone-0002');
    await api.request(StartVerificationDocument, { input: { targetTier: 'TIER_1' } });

    const future = await api.request(UpdateKycProfileDocument, { input: { dateOfBirth: '2999-01-01' } }).catch((err: unknown) => err);
    expect(future).toBeInstanceOf(MeridianError);
    expect((future as MeridianError).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dateOfBirth', reason: 'DATE_IN_FUTURE' });
    const phone = await api.request(RequestPhoneCodeDocument, { phone: '+44 20 7183 8750' }).catch((err: unknown) => err);
    expect((phone as MeridianError).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PHONE_NOT_MOBILE' });

    const exe = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), randomBytes(4_000)]);
    const renamed = await upload(accessToken, exe, 'passport.jpg', 'image/jpeg');
    expect(renamed).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT', reason: 'UNSUPPORTED_TYPE' } }] } });
    const huge = await upload(accessToken, Buffer.concat([JPEG, Buffer.alloc(20 * 1024 * 1024)]), 'big.jpg', 'image/jpeg');
    expect(huge).toMatchObject({ status: 413, body: { errors: [{ extensions: { code: 'REQUEST_TOO_LARGE' } }] } });
  });

  it('limits codes to one number across customers (SMS pumping): the sixth in an hour is refused before KYC sends it', async () => {
    const phone = '+447911000777';
    /** A trusted document sent from `address`, as a phone on another network would. */
    const send = async (document: Parameters<typeof documentIdOf>[0], variables: Record<string, unknown>, address: string, token?: string) => {
      const res = await stack.mobile.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        payload: { documentId: documentIdOf(document), variables },
        remoteAddress: address,
      });
      return { status: res.statusCode, ...(res.json() as { data?: any; errors?: { extensions?: Record<string, unknown> }[] }) };
    };
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const email = `kyc.pump.${i}.${Date.now()}@example.com`;
      const address = `10.77.0.${i + 1}`;
      const password = 'a long and unusual passphrase';
      await send(RegisterDocument, { input: { email, password, displayName: 'Pump' } }, address);
      const login = await send(LoginDocument, { input: { email, password, deviceId: `pump-phone-${i}` } }, address);
      answers.push(await send(RequestPhoneCodeDocument, { phone }, address, login.data.login.accessToken));
    }
    expect(answers.slice(0, 5).map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(answers[5].status).toBe(429);
    expect(answers[5].errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(await stack.mailbox.list(phone)).toHaveLength(5);
  });

  it('lets a compliance officer review a case on the web dashboard with its trusted documents, masked unless revealed, every read audited with its reason', async () => {
    const { api, accessToken } = await newCustomer('Fay Consider', 'phone-0003');
    const started = (await api.request(StartVerificationDocument, { input: { targetTier: 'TIER_1' } })).startVerification;
    await api.request(UpdateKycProfileDocument, {
      input: { legalName: 'Fay Consider', dateOfBirth: '1985-01-20', nationality: 'IE', address: { line1: '9 Dock Road', city: 'Dublin', postalCode: 'D02 X285', country: 'IE' } },
    });
    const phone = '+447911123457';
    await api.request(RequestPhoneCodeDocument, { phone });
    await api.request(VerifyPhoneCodeDocument, { code: (await stack.mailbox.latest(phone, 'kyc.phone_code'))!.data!.code });
    const passport = await upload(accessToken, PDF, 'passport.pdf', 'application/pdf');
    const document = (await api.request(UploadKycDocumentDocument, { input: { caseId: started.id, uploadId: passport.body.uploadId, kind: 'PASSPORT' } })).uploadKycDocument;
    await api.request(SubmitVerificationDocument, { caseId: started.id });

    const password = 'a long and unusual passphrase';
    const email = `officer.${Date.now()}@meridian.bank`;
    await stack.identity.accounts.register({ email, password, displayName: 'Officer' }, { ip: '127.0.0.1', userAgent: 'test', requestId: 'kyc-e2e' }, ['COMPLIANCE']);
    const cookie = await stack.webLogin(email, password);
    const web = async (document: Parameters<typeof documentIdOf>[0], variables: Record<string, unknown> = {}) => {
      const res = await stack.web.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN, cookie },
        payload: { documentId: documentIdOf(document), variables },
      });
      return res.json() as { data?: any; errors?: { extensions?: Record<string, unknown> }[] };
    };
    const reason = 'Provider asked for a manual check';
    const queue = await until(
      () => web(KycReviewQueueDocument, { first: 50, reason }),
      (res) => (res.data?.kycReviewQueue.edges ?? []).some((e: { node: { id: string } }) => e.node.id === started.id),
    );
    const entry = queue.data!.kycReviewQueue.edges.find((e: { node: { id: string } }) => e.node.id === started.id);
    expect(entry.node.reviewReasons).toEqual(['PROVIDER_CONSIDER']);
    expect(entry.node.subject.profile.legalName.value).toMatch(/^F\*+ C\*+$/);
    // Unmasked personal data needs a second factor from the last few minutes: the officer's sign-in (staff give one) counts.
    const revealed = await web(KycCaseDocument, { id: started.id, reveal: true, reason });
    expect(revealed.data!.kycCase.subject.profile.legalName.value).toBe('Fay Consider');
    expect(revealed.data!.kycCase.checks[0]).toMatchObject({ kind: 'IDENTITY_DATABASE', outcome: 'CONSIDER' });
    // Without a reason the read is refused, by the dashboard's own operation too.
    expect((await web(KycCaseDocument, { id: started.id, reason: ' ' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    // The document's content through the web BFF: the reason rides along to KYC.
    const download = (query: string) =>
      stack.web.app.inject({ method: 'GET', url: `/kyc/documents/${document.id}${query}`, headers: { host: WEB_HOST, origin: WEB_ORIGIN, cookie } });
    const refused = await download('');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const file = await download(`?reason=${encodeURIComponent(reason)}`);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(PDF)).toBe(true);
    const officerId = await stack.userIdOf(email);
    const audit = await stack.kyc.dataSource.query(`SELECT action, reason FROM kyc.audit_log WHERE actor_id = $1 ORDER BY id`, [officerId]);
    expect(new Set(audit.map((a: { action: string }) => a.action))).toEqual(new Set(['REVIEW_QUEUE_READ', 'PERSONAL_DATA_READ', 'CASE_READ', 'DOCUMENT_READ']));
    expect(audit.every((a: { reason: string }) => a.reason === reason)).toBe(true);
    const decided = await web(DecideKycCaseDocument, { input: { caseId: started.id, decision: 'APPROVE', reason: 'Records checked by hand.' } });
    expect(decided.data!.decideKycCase.state).toBe('APPROVED');
    expect((await api.request(KycDocument)).me!.kyc).toMatchObject({ tier: 'TIER_1', status: 'VERIFIED' });
  });
});
