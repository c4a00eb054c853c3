import { DomainError } from '@meridian/platform';
import { Webhook } from 'standardwebhooks';
import {
  WEBHOOK_TOLERANCE_SECONDS,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
} from '@meridian/platform';

const NOW = new Date('2026-06-01T12:00:00Z');
const BODY = JSON.stringify({ type: 'check.completed', data: { checkId: 'chk_1' } });

/** The error `run` throws, failing the test when it throws nothing. */
function thrownBy(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('Expected a DomainError, nothing was thrown.');
}

function expectRefusal(run: () => unknown, code: string, reason: string): void {
  expect(thrownBy(run).extensions).toMatchObject({ code, reason });
}

function signedAt(timestamp: Date, secret: string, body = BODY) {
  return signWebhook(secret, { id: 'msg_1', timestamp, body });
}

describe('generateWebhookSecret', () => {
  it('is whsec_ and the base64 of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference vector', () => {
    const headers = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: new Date(1614265330 * 1000),
      body: '{"test": 2432232314}',
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('produces headers the standardwebhooks library itself accepts', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook(secret, { id: 'msg_lib', timestamp: new Date(), body: BODY });
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });
});

describe('verifyWebhook', () => {
  const secret = generateWebhookSecret();

  it('returns the id, timestamp and parsed body of a correctly signed message', () => {
    const verified = verifyWebhook([secret], signedAt(NOW, secret), BODY, NOW);
    expect(verified).toEqual({ id: 'msg_1', timestamp: new Date('2026-06-01T12:00:00Z'), payload: JSON.parse(BODY) });
  });

  it('accepts the raw body as a Buffer and header names in any case', () => {
    const headers = signedAt(NOW, secret);
    const mixedCase = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'Webhook-Signature': headers['webhook-signature'],
    };
    expect(verifyWebhook([secret], mixedCase, Buffer.from(BODY), NOW).payload).toEqual(JSON.parse(BODY));
  });

  it('refuses a tampered body', () => {
    const tampered = BODY.replace('chk_1', 'chk_2');
    expectRefusal(() => verifyWebhook([secret], signedAt(NOW, secret), tampered, NOW), 'UNAUTHENTICATED', 'WEBHOOK_SIGNATURE_INVALID');
  });

  it('refuses a message signed with another secret', () => {
    const other = generateWebhookSecret();
    expectRefusal(() => verifyWebhook([secret], signedAt(NOW, other), BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_SIGNATURE_INVALID');
  });

  it('refuses a timestamp header changed after signing', () => {
    const headers = { ...signedAt(NOW, secret), 'webhook-timestamp': String(NOW.getTime() / 1000 + 1) };
    expectRefusal(() => verifyWebhook([secret], headers, BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_SIGNATURE_INVALID');
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)('refuses a message without %s', (name) => {
    const headers: Record<string, string | undefined> = { ...signedAt(NOW, secret) };
    delete headers[name];
    expectRefusal(() => verifyWebhook([secret], headers, BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_HEADERS_MISSING');
  });

  it('refuses a timestamp that is not Unix seconds', () => {
    const headers = { ...signedAt(NOW, secret), 'webhook-timestamp': NOW.toISOString() };
    expectRefusal(() => verifyWebhook([secret], headers, BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_HEADERS_MISSING');
  });

  it('refuses a message signed 6 minutes ago', () => {
    const sixMinutesAgo = new Date(NOW.getTime() - 6 * 60_000);
    expectRefusal(() => verifyWebhook([secret], signedAt(sixMinutesAgo, secret), BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_TIMESTAMP_STALE');
  });

  it('refuses a message dated 6 minutes in the future', () => {
    const sixMinutesAhead = new Date(NOW.getTime() + 6 * 60_000);
    expectRefusal(() => verifyWebhook([secret], signedAt(sixMinutesAhead, secret), BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_TIMESTAMP_STALE');
  });

  it('accepts a message exactly at the tolerance and refuses one a second past it', () => {
    const atLimit = new Date(NOW.getTime() - WEBHOOK_TOLERANCE_SECONDS * 1000);
    const pastLimit = new Date(atLimit.getTime() - 1000);
    expect(verifyWebhook([secret], signedAt(atLimit, secret), BODY, NOW).timestamp).toEqual(atLimit);
    expectRefusal(() => verifyWebhook([secret], signedAt(pastLimit, secret), BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_TIMESTAMP_STALE');
  });

  it('accepts the previous secret while it is still listed during a rotation', () => {
    const previous = generateWebhookSecret();
    const current = generateWebhookSecret();
    expect(verifyWebhook([current, previous], signedAt(NOW, previous), BODY, NOW).id).toBe('msg_1');
    expectRefusal(() => verifyWebhook([current], signedAt(NOW, previous), BODY, NOW), 'UNAUTHENTICATED', 'WEBHOOK_SIGNATURE_INVALID');
  });

  it('accepts a header carrying several signatures when one of them matches', () => {
    const other = signedAt(NOW, generateWebhookSecret())['webhook-signature'];
    const headers = signedAt(NOW, secret);
    const both = { ...headers, 'webhook-signature': `${other} ${headers['webhook-signature']}` };
    expect(verifyWebhook([secret], both, BODY, NOW).payload).toEqual(JSON.parse(BODY));
  });

  it('refuses a correctly signed body that is not JSON as bad input', () => {
    const body = 'not json';
    expectRefusal(() => verifyWebhook([secret], signedAt(NOW, secret, body), body, NOW), 'BAD_USER_INPUT', 'WEBHOOK_BODY_INVALID');
  });
});
