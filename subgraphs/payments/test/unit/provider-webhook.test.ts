import { generateWebhookSecret, httpStatusFor, signWebhook } from '@meridian/platform';
import type { ProviderWebhookEvent } from '../../src/providers/payment-provider';
import { ProviderWebhookError, parseProviderWebhook, serializeProviderWebhookEvent } from '../../src/providers/provider-webhook';

const NOW = new Date('2026-06-01T12:00:00Z');
const SECRET = generateWebhookSecret();
const OLD_SECRET = generateWebhookSecret();

const SUCCEEDED: ProviderWebhookEvent = {
  type: 'payment.succeeded',
  data: {
    kind: 'PAYOUT',
    attemptId: 'att_1',
    providerRef: 'po_sim_1',
    status: 'SUCCEEDED',
    amount: 1077n,
    currency: 'GBP',
    sequence: 2,
    occurredAt: '2026-06-01T11:59:58.000Z',
  },
};

/** Headers and body as the provider would send them, signed at `timestamp`. */
function signed(body: string, { secret = SECRET, timestamp = NOW } = {}) {
  return { headers: { 'content-type': 'application/json', ...signWebhook(secret, { id: 'msg_1', timestamp, body }) }, body };
}

function refusal(run: () => unknown): ProviderWebhookError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderWebhookError);
    return error as ProviderWebhookError;
  }
  throw new Error('Expected a ProviderWebhookError.');
}

describe('parseProviderWebhook', () => {
  it('accepts a signed event and reads the amount back as a bigint', () => {
    const { headers, body } = signed(serializeProviderWebhookEvent(SUCCEEDED));
    expect(body).toContain('"amount":"1077"');
    expect(parseProviderWebhook(headers, body, [SECRET], NOW)).toEqual({ webhookId: 'msg_1', timestamp: NOW, event: SUCCEEDED });
  });

  it('accepts a failure event with its decline code, from a raw Buffer body', () => {
    const failed: ProviderWebhookEvent = {
      type: 'payment.failed',
      data: { ...SUCCEEDED.data, status: 'DECLINED', declineCode: 'account_closed', message: 'The beneficiary account is closed.' },
    };
    const { headers, body } = signed(serializeProviderWebhookEvent(failed));
    expect(parseProviderWebhook(headers, Buffer.from(body), [SECRET], NOW).event).toEqual(failed);
  });

  it('accepts a signature by a secret still listed during a rotation', () => {
    const { headers, body } = signed(serializeProviderWebhookEvent(SUCCEEDED), { secret: OLD_SECRET });
    expect(parseProviderWebhook(headers, body, [SECRET, OLD_SECRET], NOW).event).toEqual(SUCCEEDED);
  });

  it.each([
    ['a signature by another secret', () => signed(serializeProviderWebhookEvent(SUCCEEDED), { secret: OLD_SECRET }), 'WEBHOOK_SIGNATURE_INVALID'],
    ['a body changed after signing', () => {
      const { headers, body } = signed(serializeProviderWebhookEvent(SUCCEEDED));
      return { headers, body: body.replace('1077', '9077') };
    }, 'WEBHOOK_SIGNATURE_INVALID'],
    ['a timestamp 301 s old', () => signed(serializeProviderWebhookEvent(SUCCEEDED), { timestamp: new Date(NOW.getTime() - 301_000) }), 'WEBHOOK_TIMESTAMP_STALE'],
    ['a timestamp 301 s ahead', () => signed(serializeProviderWebhookEvent(SUCCEEDED), { timestamp: new Date(NOW.getTime() + 301_000) }), 'WEBHOOK_TIMESTAMP_STALE'],
    ['no signature header', () => {
      const { headers, body } = signed(serializeProviderWebhookEvent(SUCCEEDED));
      return { headers: { 'webhook-id': headers['webhook-id'], 'webhook-timestamp': headers['webhook-timestamp'] }, body };
    }, 'WEBHOOK_HEADERS_MISSING'],
    ['a malformed event with a bad signature (the signature is checked first)', () => ({ ...signed('{"type":"nope"}', { secret: OLD_SECRET }) }), 'WEBHOOK_SIGNATURE_INVALID'],
  ])('refuses %s as UNAUTHENTICATED (401)', (_case, make, reason) => {
    const { headers, body } = make();
    const error = refusal(() => parseProviderWebhook(headers, body, [SECRET], NOW));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.reason).toBe(reason);
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    expect(httpStatusFor[error.code]).toBe(401);
  });

  it('accepts a timestamp exactly five minutes old', () => {
    const { headers, body } = signed(serializeProviderWebhookEvent(SUCCEEDED), { timestamp: new Date(NOW.getTime() - 300_000) });
    expect(parseProviderWebhook(headers, body, [SECRET], NOW).event).toEqual(SUCCEEDED);
  });

  it('refuses a signed body that is not JSON as BAD_USER_INPUT (400)', () => {
    const { headers, body } = signed('not json');
    const error = refusal(() => parseProviderWebhook(headers, body, [SECRET], NOW));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'WEBHOOK_BODY_INVALID' });
    expect(httpStatusFor[error.code]).toBe(400);
  });

  const event = (type: string, data: Record<string, unknown>) => JSON.stringify({ type, data: { ...JSON.parse(serializeProviderWebhookEvent(SUCCEEDED)).data, ...data } });

  it.each([
    ['an unknown type', event('payment.refunded', {}), 'type'],
    ['a success with status DECLINED', event('payment.succeeded', { status: 'DECLINED' }), 'data.status'],
    ['a failure without a decline code', event('payment.failed', { status: 'DECLINED' }), 'data.declineCode'],
    ['an unknown decline code', event('payment.failed', { status: 'DECLINED', declineCode: 'stolen_card' }), 'data.declineCode'],
    ['an amount as a JSON number', event('payment.succeeded', { amount: 1077 }), 'data.amount'],
    ['a zero amount', event('payment.succeeded', { amount: '0' }), 'data.amount'],
    ['an amount beyond 64 bits', event('payment.succeeded', { amount: '9223372036854775808' }), 'data.amount'],
    ['an unknown currency', event('payment.succeeded', { currency: 'XXX' }), 'data.currency'],
    ['a sequence of 1 (the synchronous answer)', event('payment.succeeded', { sequence: 1 }), 'data.sequence'],
    ['a fractional sequence', event('payment.succeeded', { sequence: 2.5 }), 'data.sequence'],
    ['occurredAt that is not a date', event('payment.succeeded', { occurredAt: 'yesterday' }), 'data.occurredAt'],
    ['no attemptId', event('payment.succeeded', { attemptId: undefined }), 'data.attemptId'],
  ])('refuses %s as BAD_USER_INPUT (400), naming the field', (_case, body, field) => {
    const { headers } = signed(body);
    const error = refusal(() => parseProviderWebhook(headers, body, [SECRET], NOW));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'WEBHOOK_EVENT_INVALID', field });
    expect(error.message).toContain(field);
    expect(httpStatusFor[error.code]).toBe(400);
  });
});
