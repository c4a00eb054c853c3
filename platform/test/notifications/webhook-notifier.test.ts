import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { assertWebhookSecret, createWebhookNotifier, DomainError, ErrorCode, type Notification } from '@meridian/platform';
import { closedLocalPort } from '../helpers/network';
import { settleWithin } from '../helpers/settle-within';

/** A request as the fake notification service received it. */
interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local notification service answering every request with `status`, or never when `status` is null. */
async function startReceiver(status: number | null) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (status !== null) res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":false,"detail":"upstream SMS gateway down"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notifications`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const message: Notification = {
  channel: 'SMS',
  to: '+447700900123',
  template: 'kyc.phone_code',
  text: 'Your Meridian code is 482913',
  data: { code: '482913' },
};

/** The error `promise` rejected with. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await settleWithin(promise, 10_000);
  if (outcome.status !== 'rejected') throw new Error(`expected a rejection, got ${outcome.status}`);
  return outcome.error;
}

describe('webhook notifier', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('POSTs the message as JSON signed with Standard Webhooks headers that verify independently', async () => {
    receiver = await startReceiver(202);
    const before = Math.floor(Date.now() / 1000);
    const { id } = await createWebhookNotifier({ url: receiver.url, secret }).send(message);
    const after = Math.floor(Date.now() / 1000);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ id, channel: 'SMS', to: '+447700900123', template: 'kyc.phone_code', data: { code: '482913' }, text: 'Your Meridian code is 482913' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    expect(request.headers['webhook-id']).toBe(id);
    const timestamp = Number(request.headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${request.headers['webhook-timestamp']}.${request.body}`).digest('base64');
    expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('sends an empty data object when the message has none', async () => {
    receiver = await startReceiver(200);
    await createWebhookNotifier({ url: receiver.url, secret }).send({ channel: 'EMAIL', to: 'jane@example.com', template: 'kyc.approved', text: 'You are verified.' });
    expect(JSON.parse(receiver.received[0].body)).toMatchObject({ data: {}, to: 'jane@example.com' });
  });

  it('fails with SERVICE_UNAVAILABLE when the service answers 500, logging the status but not the message', async () => {
    receiver = await startReceiver(500);
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const error = await rejectionOf(createWebhookNotifier({ url: receiver.url, secret, logger }).send(message));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect(receiver.received).toHaveLength(1);
    expect(lines).toEqual([expect.objectContaining({ level: 40, status: 500, to: '+44*******123' })]);
    expect(JSON.stringify(lines)).not.toContain('482913');
  });

  it('fails with SERVICE_UNAVAILABLE on a redirect instead of following it', async () => {
    receiver = await startReceiver(307);
    const error = await rejectionOf(createWebhookNotifier({ url: receiver.url, secret }).send(message));
    expect((error as DomainError).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect(receiver.received).toHaveLength(1);
  });

  it('fails with SERVICE_UNAVAILABLE once the timeout passes without an answer', async () => {
    receiver = await startReceiver(null);
    // Long enough for the request to reach the receiver on a loaded machine; then no answer comes.
    const outcome = await settleWithin(createWebhookNotifier({ url: receiver.url, secret, timeoutMs: 1_000 }).send(message), 5_000);
    expect(outcome.status).toBe('rejected');
    expect(((outcome as { error: unknown }).error as DomainError).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(950);
    expect(receiver.received).toHaveLength(1);
  });

  it('fails with SERVICE_UNAVAILABLE when nothing listens', async () => {
    const url = `http://127.0.0.1:${await closedLocalPort()}/notifications`;
    const error = await rejectionOf(createWebhookNotifier({ url, secret }).send(message));
    expect((error as DomainError).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });

  it.each([
    ['no prefix', randomBytes(32).toString('base64')],
    ['not base64', 'whsec_not*base64*at*all*not*base64*at*all'],
    ['too short a key', `whsec_${randomBytes(16).toString('base64')}`],
    ['too long a key', `whsec_${randomBytes(65).toString('base64')}`],
  ])('refuses a secret with %s when created', (_why, bad) => {
    expect(() => assertWebhookSecret(bad)).toThrow(/whsec_/);
    expect(() => createWebhookNotifier({ url: 'http://127.0.0.1:1/', secret: bad })).toThrow(/whsec_/);
  });
});
