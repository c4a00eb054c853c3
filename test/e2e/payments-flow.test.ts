import { randomUUID } from 'node:crypto';
import { createMeridianClient, MeridianError, newIdempotencyKey } from '@meridian/client';
import {
  ConfirmPaymentDocument,
  CreatePaymentDocument,
  LoginDocument,
  OpenAccountDocument,
  PaymentDocument,
  PaymentLimitsDocument,
  PaymentsDocument,
  RegisterDocument,
} from '@meridian/client/mobile';
import { seedDemoKyc } from '@meridian/kyc';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../helpers/stack';

// A verified customer pays another through the mobile BFF as the app does: trusted documents
// only, an idempotency key per intent reused on the retry, the ledger transfer resolved from
// banking through federation, and KYC's tier read over its internal API.

let stack: Stack;
let base: string;
beforeAll(async () => {
  stack = await startStack({ MOBILE_TRUSTED_DOCUMENTS: 'required' });
  await stack.mobile.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(stack.mobile.app.server.address() as AddressInfo).port}`;
});
afterAll(() => stack.close());

async function customer(displayName: string, verified: boolean) {
  const email = `pay.${randomUUID()}@example.com`;
  const password = 'a long and unusual passphrase';
  const deviceId = `phone-${randomUUID().slice(0, 8)}`;
  let accessToken = '';
  const api = createMeridianClient({ url: `${base}/graphql`, client: 'mobile', deviceId, getAccessToken: () => accessToken || null });
  await api.request(RegisterDocument, { input: { email, password, displayName } });
  const { login } = await api.request(LoginDocument, { input: { email, password, deviceId } });
  accessToken = login.accessToken;
  if (verified) await seedDemoKyc(stack.kyc, login.user.id);
  const account = (await api.request(OpenAccountDocument, { input: { type: 'CURRENT', currency: 'GBP' } })).openAccount;
  return { api, email, userId: login.user.id, accountId: account.id };
}

async function fund(accountId: string, minor: bigint) {
  await stack.deposit(accountId, minor, { code: 'DEPOSIT', description: 'Salary' });
}

describe('payments through the mobile BFF', () => {
  it('pays another customer by email once, however often the app retries, and shows both sides the payment', async () => {
    const payer = await customer('Priya Payer', true);
    const payee = await customer('Ana Payee', false);
    await fund(payer.accountId, 500_00n);

    const createKey = newIdempotencyKey();
    const input = { kind: 'P2P' as const, accountId: payer.accountId, amount: '120.00', currency: 'GBP' as const, recipient: { email: payee.email }, description: 'Rent share' };
    const created = (await payer.api.request(CreatePaymentDocument, { input, idempotencyKey: createKey })).createPayment;
    expect(created).toMatchObject({ status: 'REQUIRES_CONFIRMATION', counterparty: { name: 'Ana Payee' }, amount: { amount: '120.00', currency: 'GBP' } });
    // The app lost the answer and sends the same request again: the same payment.
    expect((await payer.api.request(CreatePaymentDocument, { input, idempotencyKey: createKey })).createPayment.id).toBe(created.id);

    const confirmKey = newIdempotencyKey();
    const confirmed = (await payer.api.request(ConfirmPaymentDocument, { id: created.id, idempotencyKey: confirmKey })).confirmPayment;
    expect(confirmed).toMatchObject({ status: 'SUCCEEDED', failureCode: null });
    expect((await payer.api.request(ConfirmPaymentDocument, { id: created.id, idempotencyKey: confirmKey })).confirmPayment).toEqual(confirmed);

    // The ledger transfer comes from banking; the payer sees their own account on it.
    const detail = (await payer.api.request(PaymentDocument, { id: created.id })).payment!;
    expect(detail).toMatchObject({ status: 'SUCCEEDED', account: { id: payer.accountId }, transfer: { status: 'POSTED' } });
    expect(detail.history.map((e) => e.to)).toEqual(['REQUIRES_CONFIRMATION', 'PROCESSING', 'SUCCEEDED']);
    const [payerAccount] = await stack.banking.accounts.findByIds([payer.accountId]);
    expect(payerAccount!.creditsPosted - payerAccount!.debitsPosted).toBe(380_00n);

    // The recipient sees it received, without the payer's account.
    const received = (await payee.api.request(PaymentsDocument, {})).payments.edges.map((e) => e.node);
    expect(received).toEqual([expect.objectContaining({ id: created.id, received: true, status: 'SUCCEEDED' })]);

    // The key may travel as the Idempotency-Key header instead, through the BFF and the gateway to payments.
    const headerKey = newIdempotencyKey();
    const second = (await payer.api.request(CreatePaymentDocument, { input: { ...input, amount: '5.00' } }, { idempotencyKey: headerKey })).createPayment;
    expect((await payer.api.request(CreatePaymentDocument, { input: { ...input, amount: '5.00' } }, { idempotencyKey: headerKey })).createPayment.id).toBe(second.id);
    const reused = await payer.api.request(CreatePaymentDocument, { input: { ...input, amount: '6.00' } }, { idempotencyKey: headerKey }).catch((err: unknown) => err as MeridianError);
    expect(reused).toBeInstanceOf(MeridianError);
    expect((reused as MeridianError).code).toBe('IDEMPOTENCY_KEY_REUSED');
    const secondKey = newIdempotencyKey();
    expect((await payer.api.request(ConfirmPaymentDocument, { id: second.id }, { idempotencyKey: secondKey })).confirmPayment.status).toBe('SUCCEEDED');
    expect((await payer.api.request(ConfirmPaymentDocument, { id: second.id }, { idempotencyKey: secondKey })).confirmPayment.status).toBe('SUCCEEDED');

    // What the payer may still pay today: tier 2, 50,000 a day.
    const limits = (await payer.api.request(PaymentLimitsDocument, {})).me!.paymentLimits;
    expect(limits).toMatchObject({ tier: 'TIER_2', usedToday: { amount: '125.00' }, remainingToday: { amount: '49875.00' } });
  });

  it('answers bad input and an unverified payer with clear codes through the BFF', async () => {
    const unverified = await customer('Una Verified', false);
    const payee = await customer('Ben Payee', false);
    await fund(unverified.accountId, 50_00n);
    const attempt = (input: Record<string, unknown>) =>
      unverified.api
        .request(CreatePaymentDocument, { input: { kind: 'P2P', accountId: unverified.accountId, amount: '10.00', currency: 'GBP', recipient: { email: payee.email }, ...input } as never })
        .then(() => null, (err: unknown) => err as MeridianError);
    const tooLow = await attempt({});
    expect(tooLow).toBeInstanceOf(MeridianError);
    expect(tooLow!.code).toBe('FORBIDDEN');
    expect(tooLow!.errors[0]?.extensions).toMatchObject({ reason: 'TIER_TOO_LOW' });

    const verified = await customer('Vera Verified', true);
    await fund(verified.accountId, 50_00n);
    const bad = (input: Record<string, unknown>) =>
      verified.api
        .request(CreatePaymentDocument, { input: { kind: 'P2P', accountId: verified.accountId, amount: '10.00', currency: 'GBP', recipient: { email: payee.email }, ...input } as never })
        .then(() => null, (err: unknown) => err as MeridianError);
    expect((await bad({ amount: '0.00' }))?.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect((await bad({ amount: '1.001' }))?.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect((await bad({ recipient: { email: verified.email } }))?.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipient' });
    expect((await bad({ recipient: { email: 'nobody@example.com' } }))?.errors[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'recipient' });
    const paid = await stack.payments.dataSource.query(`SELECT count(*)::int AS n FROM payments.payments WHERE user_id = $1`, [verified.userId]);
    expect(paid[0].n).toBe(0);
  });
});
