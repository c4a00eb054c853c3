import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { issueAccessToken, signWebhook, uploadKey } from '@meridian/platform';
import { scopesFor } from '@meridian/identity';
import {
  ATTACH,
  CASE,
  JPEG,
  MY_KYC,
  newPhone,
  PNG,
  prepareCase,
  profileInput,
  REQUEST_CODE,
  REVIEW_REASON,
  START,
  startKyc,
  SUBMIT,
  UPDATE_PROFILE,
  VERIFY_CODE,
  type KycHarness,
} from '../helpers/kyc-harness';

let h: KycHarness;
beforeAll(async () => {
  h = await startKyc({}, { phoneCodePolicy: { ttlMs: 10 * 60_000, maxAttempts: 5, resendAfterMs: 0 } });
});
afterAll(async () => h?.close());

/** Every file under `dir`, recursively. */
const filesIn = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

describe('bad input', () => {
  it('refuses a future or impossible date of birth, an underage customer and an unknown country, storing nothing', async () => {
    const user = await h.user();
    await h.gql(START, {}, { user });
    const cases: [Record<string, unknown>, string][] = [
      [{ dateOfBirth: '2999-01-01' }, 'DATE_IN_FUTURE'],
      [{ dateOfBirth: '1990-02-30' }, 'DATE_INVALID'],
      [{ dateOfBirth: `${new Date().getUTCFullYear() - 10}-01-01` }, 'UNDERAGE'],
      [{ dateOfBirth: '12/03/1968' }, 'DATE_FORMAT'],
      [{ nationality: 'XX' }, 'COUNTRY_UNKNOWN'],
    ];
    for (const [input, reason] of cases) {
      const res = await h.gql(UPDATE_PROFILE, { input: profileInput(input) }, { user });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    }
    const [row] = await h.server.dataSource.query(`SELECT legal_name, date_of_birth FROM kyc.profiles WHERE user_id = $1`, [user.id]);
    expect(row).toEqual({ legal_name: null, date_of_birth: null });
  });

  it('refuses invalid and landline phone numbers without sending anything', async () => {
    const user = await h.user();
    for (const [phone, reason] of [['12345', 'PHONE_INVALID'], ['+447700900123', 'PHONE_INVALID'], ['+442071838750', 'PHONE_NOT_MOBILE']]) {
      const res = await h.gql(REQUEST_CODE, { phone }, { user });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone', reason });
      expect(await h.mailbox.list(phone)).toEqual([]);
    }
  });

  it('counts wrong codes, refuses the sixth attempt even with the right code, and refuses an expired code', async () => {
    const user = await h.user();
    const phone = newPhone();
    await h.gql(REQUEST_CODE, { phone }, { user });
    const code = await h.latestCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let remaining = 4; remaining >= 0; remaining--) {
      const res = await h.gql(VERIFY_CODE, { code: wrong }, { user });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CODE_INVALID', attemptsRemaining: remaining });
    }
    const sixth = await h.gql(VERIFY_CODE, { code }, { user });
    expect(sixth.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CODE_ATTEMPTS_EXCEEDED' });

    await h.gql(REQUEST_CODE, { phone }, { user });
    await h.server.dataSource.query(`UPDATE kyc.phone_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    const expired = await h.gql(VERIFY_CODE, { code: await h.latestCode(phone) }, { user });
    expect(expired.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CODE_EXPIRED' });
    expect(await h.gql(VERIFY_CODE, { code: '12ab56' }, { user })).toMatchObject({ errors: [{ extensions: { reason: 'CODE_FORMAT' } }] });
    const [row] = await h.server.dataSource.query(`SELECT phone FROM kyc.profiles WHERE user_id = $1`, [user.id]);
    expect(row.phone).toBeNull();
  });

  it('asks for a recent second factor to replace a verified number, and not to verify a first one', async () => {
    const user = await h.user();
    const first = newPhone();
    expect((await h.gql(REQUEST_CODE, { phone: first }, { user })).errors).toBeUndefined();
    expect((await h.gql(VERIFY_CODE, { code: await h.latestCode(first) }, { user })).errors).toBeUndefined();

    // Another number is a phone change: refused without a step-up, and no code goes out.
    const second = newPhone();
    const refused = await h.gql(REQUEST_CODE, { phone: second }, { user });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', action: 'changePhone' });
    expect(await h.mailbox.list(second)).toEqual([]);

    // The same customer with a fresh second factor may change it.
    const audience = { issuer: h.config.ACCESS_TOKEN_ISSUER, audience: h.config.ACCESS_TOKEN_AUDIENCE };
    const claims = { userId: user.id, sessionId: randomUUID(), roles: ['CUSTOMER' as const], scopes: scopesFor(['CUSTOMER']), ttlSeconds: 600, amr: ['pwd', 'otp', 'mfa'] };
    const token = { id: user.id, token: (await issueAccessToken(h.userKeys, audience, claims)).token };
    expect((await h.gql(REQUEST_CODE, { phone: second }, { user: token })).errors).toBeUndefined();
    expect((await h.gql(VERIFY_CODE, { code: await h.latestCode(second) }, { user: token })).errors).toBeUndefined();
  });

  it('refuses concurrent guesses past the limit', async () => {
    const user = await h.user();
    const phone = newPhone();
    await h.gql(REQUEST_CODE, { phone }, { user });
    const code = await h.latestCode(phone);
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    const results = await Promise.all(guesses.map((g) => h.gql(VERIFY_CODE, { code: g }, { user })));
    const invalid = results.filter((r) => r.errors?.[0].extensions?.reason === 'CODE_INVALID');
    expect(invalid).toHaveLength(5);
    expect(results.filter((r) => r.errors?.[0].extensions?.reason === 'CODE_ATTEMPTS_EXCEEDED')).toHaveLength(7);
  });

  it('refuses a webhook with a bad signature or a stale timestamp, changing nothing', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1');
    // Hold the provider back: submit with a provider that never answers is not needed; forge deliveries instead.
    const body = JSON.stringify({
      type: 'check.completed',
      data: { checkId: caseId, providerCheckId: 'forged', outcome: 'CLEAR', reports: [{ kind: 'IDENTITY_DATABASE', outcome: 'CLEAR', reasons: [] }], completedAt: new Date().toISOString() },
    });
    const before = await h.count('provider_webhooks');
    const forged = signWebhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, { id: 'msg_forged', timestamp: new Date(), body });
    const bad = await h.inject('POST', '/webhooks/verification', { caller: null, headers: { 'content-type': 'application/json', ...forged }, payload: body });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'WEBHOOK_SIGNATURE_INVALID' });

    const secret = h.webhookSecret();
    const stale = signWebhook(secret, { id: 'msg_stale', timestamp: new Date(Date.now() - 6 * 60_000), body });
    const old = await h.inject('POST', '/webhooks/verification', { caller: null, headers: { 'content-type': 'application/json', ...stale }, payload: body });
    expect(old.status).toBe(401);
    expect(JSON.parse(old.body).errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'WEBHOOK_TIMESTAMP_STALE' });
    expect(await h.count('provider_webhooks')).toBe(before);
    expect(await h.waitForCase(caseId, ['DRAFT'])).toBe('DRAFT');
  });

  it('applies a provider result once, whatever the repeats', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1');
    await h.gql(SUBMIT, { id: caseId }, { user });
    await h.waitForCase(caseId, ['APPROVED']);
    const [{ check_id: checkId }] = await h.server.dataSource.query(`SELECT check_id FROM kyc.cases WHERE id = $1`, [caseId]);
    const secret = h.webhookSecret();
    const body = JSON.stringify({
      type: 'check.completed',
      data: { checkId, providerCheckId: 'again', outcome: 'CONSIDER', reports: [{ kind: 'IDENTITY_DATABASE', outcome: 'CONSIDER', reasons: ['DATA_MISMATCH'] }], completedAt: new Date().toISOString() },
    });
    const headers = { 'content-type': 'application/json', ...signWebhook(secret, { id: 'msg_replay', timestamp: new Date(), body }) };
    const first = await h.inject('POST', '/webhooks/verification', { caller: null, headers, payload: body });
    const second = await h.inject('POST', '/webhooks/verification', { caller: null, headers, payload: body });
    expect(JSON.parse(first.body).outcome).toBe('STALE');
    expect(JSON.parse(second.body).outcome).toBe('DUPLICATE');
    expect(await h.waitForCase(caseId, ['APPROVED'])).toBe('APPROVED');
  });
});

describe('privacy', () => {
  it('keeps personal data and files encrypted at rest', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_1', { legalName: 'Zebedee Plaintextcheck', taxId: 'ZZ998877A' });
    const marker = Buffer.concat([PNG, Buffer.from('MERIDIAN-PLAINTEXT-MARKER')]);
    await h.gql(START, { tier: 'TIER_1' }, { user });
    const attached = await h.gql(ATTACH, { input: { caseId, uploadId: await h.upload(user, marker, 'image/png'), kind: 'PROOF_OF_ADDRESS' } }, { user });
    expect(attached.errors).toBeUndefined();

    const [row] = await h.server.dataSource.query(`SELECT * FROM kyc.profiles WHERE user_id = $1`, [user.id]);
    const raw = JSON.stringify(row) + Object.values(row).filter(Buffer.isBuffer).map((b) => (b as Buffer).toString('latin1')).join('');
    for (const secret of ['Zebedee', 'Plaintextcheck', 'ZZ998877A', '1988-06-15', 'Downing', 'LS1 4AP']) expect(raw).not.toContain(secret);
    const codes = await h.server.dataSource.query(`SELECT * FROM kyc.phone_codes`);
    expect(JSON.stringify(codes)).not.toMatch(/"code_hash":"\d{6}"/);

    const files = filesIn(h.objectDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(fs.readFileSync(file).includes(Buffer.from('MERIDIAN-PLAINTEXT-MARKER'))).toBe(false);
  });

  it('lets customers see only their own verification, cases, uploads and documents', async () => {
    const alice = await h.user();
    const mallory = await h.user();
    const caseId = await prepareCase(h, alice, 'TIER_2');
    const documents = await h.server.dataSource.query(`SELECT id FROM kyc.documents WHERE case_id = $1`, [caseId]);

    expect((await h.gql(MY_KYC, { id: alice.id }, { user: mallory })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await h.gql(CASE, { id: caseId, reason: REVIEW_REASON }, { user: mallory })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await h.gql(SUBMIT, { id: caseId }, { user: mallory })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // Alice's upload cannot be attached by Mallory, even to Mallory's own case.
    const malloryCase = (await h.gql(START, {}, { user: mallory })).data!.startVerification.id;
    const aliceUpload = await h.upload(alice, JPEG, 'image/jpeg');
    const stolen = await h.gql(ATTACH, { input: { caseId: malloryCase, uploadId: aliceUpload, kind: 'SELFIE' } }, { user: mallory });
    expect(stolen.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await h.server.objectStore.head(uploadKey(aliceUpload))).not.toBeNull();

    for (const { id } of documents) {
      expect((await h.inject('GET', `/documents/${id}`, { caller: 'bff-mobile', user: mallory })).status).toBe(404);
      const own = await h.inject('GET', `/documents/${id}`, { caller: 'bff-mobile', user: alice });
      expect(own.status).toBe(200);
      expect(own.headers['cache-control']).toBe('no-store');
    }
    // Staff-only parts of a case are refused to its own customer.
    const mine = await h.gql(`query($id: ID!) { kycCase(id: $id) { id state reviewReasons } }`, { id: caseId }, { user: alice });
    expect(mine.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(mine.errors?.[0].path).toEqual(['kycCase', 'reviewReasons']);
  });

  it('refuses an expired upload', async () => {
    const user = await h.user();
    const caseId = (await h.gql(START, { tier: 'TIER_2' }, { user })).data!.startVerification.id;
    const uploadId = await h.upload(user, PNG, 'image/png', { expiresAt: new Date(Date.now() - 1000) });
    const res = await h.gql(ATTACH, { input: { caseId, uploadId, kind: 'SELFIE' } }, { user });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('writes an audit row for every staff read of a case, personal data and a document', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_2', { legalName: 'Dora Consider' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    await h.waitForCase(caseId, ['NEEDS_REVIEW']);
    // Unmasked personal data needs a second factor from the last few minutes.
    const unstepped = await h.gql(CASE, { id: caseId, reveal: true, reason: REVIEW_REASON }, { user: await h.user(['COMPLIANCE']) });
    expect(unstepped.errors?.[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', action: 'revealKycSubject', maxAgeSeconds: 300 });
    const officer = await h.user(['COMPLIANCE'], { mfa: true });
    const revealed = await h.gql(CASE, { id: caseId, reveal: true, reason: REVIEW_REASON }, { user: officer });
    expect(revealed.data!.kycCase.subject.profile.legalName.value).toBe('Dora Consider');
    const [document] = await h.server.dataSource.query(`SELECT id FROM kyc.documents WHERE case_id = $1 LIMIT 1`, [caseId]);
    const url = `/documents/${document.id}?reason=${encodeURIComponent(`  ${REVIEW_REASON} `)}`;
    expect((await h.inject('GET', url, { caller: 'bff-web', user: officer, headers: { 'x-request-id': 'req-document-read' } })).status).toBe(200);

    const audit = await h.server.dataSource.query(`SELECT action, fields, revealed, reason, request_id FROM kyc.audit_log WHERE actor_id = $1 ORDER BY id`, [officer.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['CASE_READ', 'PERSONAL_DATA_READ', 'DOCUMENT_READ']);
    expect(audit[1]).toMatchObject({ revealed: true, fields: expect.arrayContaining(['legalName', 'dateOfBirth']) });
    // Each with the reason given, trimmed, and the request it came in.
    for (const entry of audit) expect(entry.reason).toBe(REVIEW_REASON);
    expect(audit[2].request_id).toBe('req-document-read');
    expect(audit[0].request_id).toEqual(expect.any(String));
    await expect(h.server.dataSource.query(`DELETE FROM kyc.audit_log WHERE actor_id = $1`, [officer.id])).rejects.toThrow(/append-only/);
    await expect(h.server.dataSource.query(`UPDATE kyc.audit_log SET reason = 'Something else' WHERE actor_id = $1`, [officer.id])).rejects.toThrow(/append-only/);
  });

  it('refuses a staff read without a reason of 3 to 500 characters with BAD_USER_INPUT, before reading or auditing anything', async () => {
    const user = await h.user();
    const caseId = await prepareCase(h, user, 'TIER_2', { legalName: 'Ezra Consider' });
    await h.gql(SUBMIT, { id: caseId }, { user });
    await h.waitForCase(caseId, ['NEEDS_REVIEW']);
    const [document] = await h.server.dataSource.query(`SELECT id FROM kyc.documents WHERE case_id = $1 LIMIT 1`, [caseId]);
    const officer = await h.user(['COMPLIANCE'], { mfa: true });
    const entries = async () => (await h.server.dataSource.query(`SELECT action FROM kyc.audit_log WHERE actor_id = $1 ORDER BY id`, [officer.id])).map((r: { action: string }) => r.action);

    // The argument is required of the staff-only fields: leaving it out fails validation.
    const missing = await h.gql(`{ kycReviewQueue(first: 5) { edges { cursor } } }`, {}, { user: officer });
    expect(missing.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    for (const reason of ['', '   ', 'ok', 'x'.repeat(501)]) {
      const queue = await h.gql(`query($r: String!) { kycReviewQueue(first: 5, reason: $r) { edges { cursor } } }`, { r: reason }, { user: officer });
      expect(queue.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      const read = await h.gql(`query($id: ID!, $r: String) { kycCase(id: $id, reason: $r) { id } }`, { id: caseId, r: reason }, { user: officer });
      expect(read.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      const file = await h.inject('GET', `/documents/${document.id}?reason=${encodeURIComponent(reason)}`, { caller: 'bff-web', user: officer });
      expect(file.status).toBe(400);
      expect(JSON.parse(file.body).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    }
    // kycCase's reason is optional for its customer, so staff who leave it out are refused by KYC itself.
    const noReason = await h.gql(`query($id: ID!) { kycCase(id: $id) { id } }`, { id: caseId }, { user: officer });
    expect(noReason.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await h.inject('GET', `/documents/${document.id}`, { caller: 'bff-web', user: officer })).status).toBe(400);
    expect(await entries()).toEqual([]);

    // A case read with a reason, its personal data without one: the case is read and audited, the personal data refused.
    const partly = await h.gql(`query($id: ID!, $r: String!) { kycCase(id: $id, reason: $r) { id subject(reveal: true, reason: " ") { userId } } }`, { id: caseId, r: REVIEW_REASON }, { user: officer });
    expect(partly.errors?.[0]).toMatchObject({ path: ['kycCase', 'subject'], extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });
    expect(await entries()).toEqual(['CASE_READ']);
    // The customer reads their own case without a reason.
    expect((await h.gql(`query($id: ID!) { kycCase(id: $id) { id state } }`, { id: caseId }, { user })).data?.kycCase.id).toBe(caseId);
  });
});
