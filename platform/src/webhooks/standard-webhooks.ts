import fs from 'node:fs';
import path from 'node:path';
/**
 * Standard Webhooks (https://www.standardwebhooks.com/) signing and
 * verification. The HMAC-SHA256 comes from the `standardwebhooks` package;
 * its `verify` reads the clock through `Date.now()` and cannot be given
 * another, so the tolerance is checked here against an injectable `now`, the
 * expected signature is computed with the package's `sign`, and the
 * comparison is Node's constant-time `timingSafeEqual`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode, errors } from '../errors';
import { Webhook } from 'standardwebhooks';
import type { DeliverWebhook } from './webhook-sender';

/** How far a webhook's timestamp may be from our clock, either way, in seconds. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const UNIX_SECONDS = /^\d{1,12}$/;

/** The three headers of a signed message. */
export type WebhookHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

/** A message to sign: its id stays the same across delivery attempts, its timestamp is the attempt's. */
export interface WebhookMessage {
  id: string;
  timestamp: Date;
  body: string;
}

/** A message whose signature and timestamp were accepted. */
export interface VerifiedWebhook {
  id: string;
  timestamp: Date;
  payload: unknown;
}

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * Checks a secret is `whsec_` then base64 of 24 to 64 bytes, as the
 * specification recommends; throws otherwise, so a bad secret stops the start
 * instead of every send.
 */
export function assertWebhookSecret(secret: string): void {
  const match = SECRET.exec(secret);
  const key = match ? Buffer.from(match[1], 'base64') : Buffer.alloc(0);
  if (key.length < 24 || key.length > 64) throw new Error('A webhook secret is "whsec_" followed by base64 of 24 to 64 bytes');
}

/** A new signing secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The Standard Webhooks headers for `message`, signed with `secret` (`whsec_…`). */
export function signWebhook(secret: string, message: WebhookMessage): WebhookHeaders {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(message.id, message.timestamp, message.body),
  };
}

/**
 * Checks a received webhook against the exact raw body and returns its id,
 * timestamp and parsed JSON body. `secrets` lists the current secret first and,
 * during a rotation, the ones still accepted; a signature by any of them passes.
 * Errors:
 *  * UNAUTHENTICATED, reason WEBHOOK_HEADERS_MISSING: a header is absent or malformed
 *  * UNAUTHENTICATED, reason WEBHOOK_TIMESTAMP_STALE: more than WEBHOOK_TOLERANCE_SECONDS from `now`, past or future
 *  * UNAUTHENTICATED, reason WEBHOOK_SIGNATURE_INVALID: no signature matches any secret
 *  * BAD_USER_INPUT, reason WEBHOOK_BODY_INVALID: a correctly signed body that is not JSON
 */
export function verifyWebhook(
  secrets: string[],
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
  now: Date = new Date(),
): VerifiedWebhook {
  if (secrets.length === 0) throw new Error('verifyWebhook needs at least one secret.');
  const { id, timestampHeader, signatures } = readHeaders(headers);
  const timestamp = checkTimestamp(timestampHeader, now);
  if (!secrets.some((secret) => matchesAny(new Webhook(secret).sign(id, timestamp, rawBody), signatures))) {
    throw refused('WEBHOOK_SIGNATURE_INVALID', 'The webhook signature does not match.');
  }
  return { id, timestamp, payload: parseJson(rawBody) };
}

function refused(reason: string, message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, { reason });
}

/** Header names are matched case-insensitively; a repeated signature header adds its signatures. */
function readHeaders(headers: Record<string, string | string[] | undefined>) {
  const lower: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  const id = single(lower['webhook-id']);
  const timestampHeader = single(lower['webhook-timestamp']);
  const signatureHeader = lower['webhook-signature'];
  const signatures = [signatureHeader ?? []].flat().flatMap((value) => value.split(' ')).filter(Boolean);
  if (!id || !timestampHeader || signatures.length === 0) {
    throw refused('WEBHOOK_HEADERS_MISSING', 'The webhook-id, webhook-timestamp and webhook-signature headers are required.');
  }
  return { id, timestampHeader, signatures };
}

/** One value, or undefined when the header is absent or repeated with different values. */
function single(value: string | string[] | undefined): string | undefined {
  if (!Array.isArray(value)) return value;
  return new Set(value).size === 1 ? value[0] : undefined;
}

function checkTimestamp(header: string, now: Date): Date {
  if (!UNIX_SECONDS.test(header)) {
    throw refused('WEBHOOK_HEADERS_MISSING', 'The webhook-timestamp header must be a Unix time in seconds.');
  }
  const seconds = Number(header);
  if (Math.abs(Math.floor(now.getTime() / 1000) - seconds) > WEBHOOK_TOLERANCE_SECONDS) {
    throw refused('WEBHOOK_TIMESTAMP_STALE', 'The webhook timestamp is too far from the current time.');
  }
  return new Date(seconds * 1000);
}

/** Constant-time comparison of the expected `v1,…` signature with each one received. */
function matchesAny(expected: string, received: string[]): boolean {
  const want = Buffer.from(expected);
  return received.some((signature) => {
    const got = Buffer.from(signature);
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

function parseJson(rawBody: string | Buffer): unknown {
  try {
    const text = typeof rawBody === 'string' ? rawBody : new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
    return JSON.parse(text);
  } catch {
    throw errors.badInput('The webhook body is not JSON.', { reason: 'WEBHOOK_BODY_INVALID' });
  }
}

/**
 * The Standard Webhooks secrets a service checks a provider's webhooks with,
 * current first: `configured` (comma-separated), or outside production one
 * generated once into `file` (so a restart keeps it). Throws in production
 * when nothing is configured, naming `settingName`.
 */
export function loadWebhookSecrets(options: { configured?: string; file: string; production: boolean; settingName: string }): string[] {
  if (options.configured) return options.configured.split(',').map((s) => s.trim()).filter(Boolean);
  if (options.production) throw new Error(`${options.settingName} must be set in production`);
  if (!fs.existsSync(options.file)) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    try {
      fs.writeFileSync(options.file, JSON.stringify([generateWebhookSecret()]), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return JSON.parse(fs.readFileSync(options.file, 'utf8')) as string[];
}

/** A delivery function that POSTs a signed webhook's JSON body and headers to `url`, giving up after 5 s; answers the status. */
export function postWebhook(url: string): DeliverWebhook {
  return async (delivery) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...delivery.headers },
      body: delivery.body,
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return { status: res.status };
  };
}
