import { createWebhookSender, generateWebhookSecret, verifyWebhook, type WebhookDelivery, type WebhookSender, type WebhookSenderOptions } from '@meridian/platform';

const SECRET = generateWebhookSecret();
const NOW = new Date('2026-06-01T12:00:00Z');

/** Waits (up to two seconds) for `condition`; the limit only stops a broken test from hanging. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Condition not met within 2 s.');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const senders: WebhookSender[] = [];
afterEach(async () => {
  await Promise.all(senders.splice(0).map((sender) => sender.stop()));
});

/** A sender with a recording `deliver` that answers `statuses` in turn, then 200, on a clock a second later per call. */
function recording(options: Partial<WebhookSenderOptions> & { statuses?: number[] } = {}) {
  const deliveries: WebhookDelivery[] = [];
  const statuses = [...(options.statuses ?? [])];
  const warn = jest.fn<void, [object, string]>();
  let ticks = 0;
  const sender = createWebhookSender({
    secret: SECRET,
    retry: { attempts: 3, baseMs: 1 },
    logger: { warn },
    now: () => new Date(NOW.getTime() + 1000 * ticks++),
    deliver: async (delivery) => {
      deliveries.push(delivery);
      return { status: statuses.shift() ?? 200 };
    },
    ...options,
  });
  senders.push(sender);
  return { sender, deliveries, warn };
}

describe('createWebhookSender', () => {
  it('sends a message after its delay, signed so that verifyWebhook accepts it', async () => {
    const { sender, deliveries } = recording();
    sender.schedule({ id: 'msg_1', body: '{"type":"ping"}', delayMs: 5, context: {} });
    expect(deliveries).toHaveLength(0);
    expect(sender.pending()).toBe(1);
    await waitUntil(() => sender.pending() === 0);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].headers['content-type']).toBe('application/json');
    const verified = verifyWebhook([SECRET], deliveries[0].headers, deliveries[0].body, NOW);
    expect(verified).toEqual({ id: 'msg_1', timestamp: NOW, payload: { type: 'ping' } });
  });

  it('retries a refused delivery under the same webhook-id, each attempt signed with its own timestamp', async () => {
    const { sender, deliveries, warn } = recording({ statuses: [503] });
    sender.schedule({ id: 'msg_1', body: '{}', delayMs: 1, context: { attemptId: 'att_1' } });
    await waitUntil(() => sender.pending() === 0);
    expect(deliveries.map((d) => d.headers['webhook-id'])).toEqual(['msg_1', 'msg_1']);
    expect(deliveries[1].headers['webhook-timestamp']).not.toBe(deliveries[0].headers['webhook-timestamp']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]).toEqual([expect.objectContaining({ attemptId: 'att_1', webhookId: 'msg_1', attempt: 1 }), expect.stringMatching(/retrying/)]);
  });

  it('ignores a message whose id is already scheduled', async () => {
    const { sender, deliveries } = recording();
    const settled = jest.fn();
    sender.schedule({ id: 'msg_1', body: '{"n":1}', delayMs: 5, context: {} });
    sender.schedule({ id: 'msg_1', body: '{"n":2}', delayMs: 5, context: {}, onSettled: settled });
    expect(sender.pending()).toBe(1);
    await waitUntil(() => sender.pending() === 0);
    expect(deliveries.map((d) => d.body)).toEqual(['{"n":1}']);
    expect(settled).not.toHaveBeenCalled();
  });

  it('writes a body given as a function once, when the delay is over', async () => {
    const { sender, deliveries } = recording({ statuses: [500] });
    const write = jest.fn(() => JSON.stringify({ writtenAt: Date.now() }));
    const scheduledAt = Date.now();
    sender.schedule({ id: 'msg_1', body: write, delayMs: 20, context: {} });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(write).not.toHaveBeenCalled();
    await waitUntil(() => sender.pending() === 0);
    expect(write).toHaveBeenCalledTimes(1);
    expect(deliveries).toHaveLength(2);
    expect(deliveries[1].body).toBe(deliveries[0].body);
    expect((JSON.parse(deliveries[0].body) as { writtenAt: number }).writtenAt).toBeGreaterThanOrEqual(scheduledAt + 15);
  });

  it('calls onSettled once a message is delivered, given up, or cancelled by stop()', async () => {
    const { sender, warn } = recording({ statuses: [500, 500, 500] });
    const settled: string[] = [];
    sender.schedule({ id: 'given-up', body: '{}', delayMs: 1, context: {}, onSettled: () => settled.push('given-up') });
    await waitUntil(() => settled.length === 1);
    expect(warn.mock.calls.at(-1)).toEqual([expect.objectContaining({ webhookId: 'given-up', attempts: 3, err: expect.stringContaining('500') }), expect.stringMatching(/given up/)]);
    sender.schedule({ id: 'delivered', body: '{}', delayMs: 1, context: {}, onSettled: () => settled.push('delivered') });
    await waitUntil(() => settled.length === 2);
    sender.schedule({ id: 'cancelled', body: '{}', delayMs: 60_000, context: {}, onSettled: () => settled.push('cancelled') });
    await sender.stop();
    expect(settled).toEqual(['given-up', 'delivered', 'cancelled']);
    expect(sender.pending()).toBe(0);
  });

  it('sends nothing, and settles, when the body cannot be written', async () => {
    const { sender, deliveries, warn } = recording();
    const settled = jest.fn();
    sender.schedule({
      id: 'msg_1',
      body: () => {
        throw new Error('no result');
      },
      delayMs: 1,
      context: {},
      onSettled: settled,
    });
    await waitUntil(() => sender.pending() === 0);
    expect(deliveries).toHaveLength(0);
    expect(settled).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ webhookId: 'msg_1', err: 'no result' }), expect.stringMatching(/nothing was sent/));
  });

  it('ignores what is scheduled after stop()', async () => {
    const { sender } = recording();
    await sender.stop();
    const settled = jest.fn();
    sender.schedule({ id: 'msg_1', body: '{}', delayMs: 1, context: {}, onSettled: settled });
    expect(sender.pending()).toBe(0);
    expect(settled).not.toHaveBeenCalled();
  });
});
