import { createBackgroundSender, createDevMailbox, createMemoryKeyValueStore, errors, type Notification, type Notifier } from '@meridian/platform';

const message: Notification = { channel: 'EMAIL', to: 'ana@example.com', template: 'test.hello', text: 'Hello' };

describe('createBackgroundSender', () => {
  it('returns before the message is sent, and settled() waits for it', async () => {
    const kv = createMemoryKeyValueStore();
    const mailbox = createDevMailbox({ kv });
    const sender = createBackgroundSender({ notifier: mailbox });
    sender.send(message);
    // Nothing has gone out on the caller's turn of the event loop.
    expect(await mailbox.list(message.to)).toEqual([]);
    await sender.settled();
    expect((await mailbox.list(message.to)).map((m) => m.template)).toEqual(['test.hello']);
    await kv.close();
  });

  it('retries a failed send, then gives up and logs it, never throwing to the caller', async () => {
    let calls = 0;
    const flaky: Notifier = {
      async send() {
        calls += 1;
        if (calls < 3) throw errors.unavailable();
        return { id: 'sent' };
      },
    };
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => warnings.push(fields), error: (fields: unknown) => warnings.push(fields) } as never;
    const sender = createBackgroundSender({ notifier: flaky, logger, retryDelayMs: 1 });
    expect(() => sender.send(message)).not.toThrow();
    await sender.settled();
    expect(calls).toBe(3);
    expect(warnings).toHaveLength(2);
    expect(JSON.stringify(warnings)).not.toContain('ana@');

    const down: Notifier = { send: async () => Promise.reject(errors.unavailable()) };
    const errorsLogged: unknown[] = [];
    const giving = createBackgroundSender({ notifier: down, attempts: 2, retryDelayMs: 1, logger: { warn: () => undefined, error: (f: unknown) => errorsLogged.push(f) } as never });
    giving.send(message);
    await giving.settled();
    expect(errorsLogged).toEqual([expect.objectContaining({ template: 'test.hello', to: 'a***@example.com', attempt: 2 })]);
  });
});
