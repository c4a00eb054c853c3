import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createClient } from 'redis';
import {
  createDevMailbox,
  createMemoryKeyValueStore,
  createRedisKeyValueStore,
  type KeyValueStore,
  type Notification,
} from '@meridian/platform';
import { sleep } from '../helpers/settle-within';

/** A store under test plus a way to let time pass for it. */
interface Harness {
  kv: KeyValueStore;
  /** Lets `ms` pass as the store sees it: a fake clock for memory, real time for Redis. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL;
// Real-time waits add this to a TTL so "expired" never depends on timer precision.
const MARGIN_MS = 100;
const PHONE = '+447700900123';

async function memoryHarness(): Promise<Harness> {
  let clock = 1_700_000_000_000;
  const kv = createMemoryKeyValueStore({ now: () => clock });
  return {
    kv,
    advance: async (ms) => {
      clock += ms;
    },
    close: () => kv.close(),
  };
}

async function redisHarness(url: string): Promise<Harness> {
  const keyPrefix = `test:dev-mailbox:${randomBytes(6).toString('hex')}:`;
  const kv = await createRedisKeyValueStore({ url, keyPrefix, commandTimeoutMs: 5_000 });
  return {
    kv,
    advance: (ms) => sleep(ms + MARGIN_MS),
    async close() {
      await kv.close();
      await deleteByPrefix(url, keyPrefix);
    },
  };
}

/** Removes what a test left in the shared Redis. */
async function deleteByPrefix(url: string, prefix: string): Promise<void> {
  const raw = createClient({ url });
  await raw.connect();
  try {
    for await (const keys of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await raw.del(keys);
    }
  } finally {
    raw.destroy();
  }
}

const phoneCode = (code: string, to = PHONE): Notification => ({
  channel: 'SMS',
  to,
  template: 'kyc.phone_code',
  text: `Your Meridian code is ${code}`,
  data: { code },
});

/** The behaviour the dev mailbox must have on every key-value adapter. */
function devMailboxBehaviour(createHarness: () => Promise<Harness>): void {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('lists what was sent newest first, with ids and send times', async () => {
    const mailbox = createDevMailbox({ kv: h.kv });
    const sent = [];
    for (const code of ['111111', '222222', '333333']) sent.push(await mailbox.send(phoneCode(code)));
    const listed = await mailbox.list(PHONE);
    expect(listed.map((m) => m.data?.code)).toEqual(['333333', '222222', '111111']);
    expect(listed.map((m) => m.id)).toEqual(sent.map((s) => s.id).reverse());
    expect(listed[0]).toMatchObject({ channel: 'SMS', to: PHONE, template: 'kyc.phone_code', text: 'Your Meridian code is 333333' });
    expect(Number.isNaN(Date.parse(listed[0].sentAt))).toBe(false);
    expect(await mailbox.list(PHONE, { limit: 2 })).toEqual(listed.slice(0, 2));
    expect(await mailbox.list('+447700900999')).toEqual([]);
  });

  it('finds the latest message, of a template when asked', async () => {
    const mailbox = createDevMailbox({ kv: h.kv });
    await mailbox.send(phoneCode('111111'));
    await mailbox.send({ channel: 'SMS', to: PHONE, template: 'kyc.approved', text: 'You are verified.' });
    expect((await mailbox.latest(PHONE))?.template).toBe('kyc.approved');
    expect((await mailbox.latest(PHONE, 'kyc.phone_code'))?.data).toEqual({ code: '111111' });
    expect(await mailbox.latest(PHONE, 'kyc.rejected')).toBeUndefined();
    expect(await mailbox.latest('+15550100')).toBeUndefined();
  });

  it('files an email under its lower-cased address, and a phone as given', async () => {
    const mailbox = createDevMailbox({ kv: h.kv });
    await mailbox.send({ channel: 'EMAIL', to: 'Jane.Doe@Example.COM', template: 'kyc.email_code', text: 'Code 424242', data: { code: '424242' } });
    expect((await mailbox.latest('jane.doe@example.com'))?.data?.code).toBe('424242');
    expect((await mailbox.latest(' JANE.DOE@example.com '))?.to).toBe('Jane.Doe@Example.COM');
    await mailbox.send(phoneCode('555555', '+447700900124'));
    expect(await mailbox.list(PHONE)).toEqual([]);
  });

  it('keeps only the newest maxPerRecipient messages, and deletes the older ones', async () => {
    const mailbox = createDevMailbox({ kv: h.kv, maxPerRecipient: 3 });
    for (const code of ['1', '2', '3', '4', '5']) await mailbox.send(phoneCode(code));
    expect((await mailbox.list(PHONE)).map((m) => m.data?.code)).toEqual(['5', '4', '3']);
    // A mailbox allowed more, on the same store, finds nothing older: the dropped ones are gone.
    const roomier = createDevMailbox({ kv: h.kv, maxPerRecipient: 10 });
    expect((await roomier.list(PHONE)).map((m) => m.data?.code)).toEqual(['5', '4', '3']);
  });

  it('forgets each message ttlMs after it was sent, and starts afresh once all are gone', async () => {
    // On Redis the clock is real: the margins (750 ms either side) stay wide on a loaded machine.
    const mailbox = createDevMailbox({ kv: h.kv, ttlMs: 1_500 });
    await mailbox.send(phoneCode('111111'));
    await h.advance(750);
    await mailbox.send(phoneCode('222222'));
    await h.advance(800);
    expect((await mailbox.list(PHONE)).map((m) => m.data?.code)).toEqual(['222222']);
    await h.advance(1_500);
    expect(await mailbox.list(PHONE)).toEqual([]);
    expect(await mailbox.latest(PHONE)).toBeUndefined();
    await mailbox.send(phoneCode('333333'));
    expect((await mailbox.list(PHONE)).map((m) => m.data?.code)).toEqual(['333333']);
  });

  it('keeps every one of many concurrent sends to one recipient', async () => {
    const mailbox = createDevMailbox({ kv: h.kv, maxPerRecipient: 100 });
    const codes = Array.from({ length: 100 }, (_, i) => String(100_000 + i));
    const sent = await Promise.all(codes.map((code) => mailbox.send(phoneCode(code))));
    const listed = await mailbox.list(PHONE);
    expect(listed).toHaveLength(100);
    expect(new Set(listed.map((m) => m.id))).toEqual(new Set(sent.map((s) => s.id)));
    expect(listed.map((m) => m.data?.code).sort()).toEqual(codes);
  });

  it('keeps exactly maxPerRecipient when concurrent sends overflow it', async () => {
    const mailbox = createDevMailbox({ kv: h.kv, maxPerRecipient: 10 });
    const roomier = createDevMailbox({ kv: h.kv, maxPerRecipient: 100 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => mailbox.send(phoneCode(String(i)))));
    expect(await mailbox.list(PHONE)).toHaveLength(10);
    expect(await roomier.list(PHONE)).toHaveLength(10);
  });
}

describe('dev mailbox on the memory store', () => {
  devMailboxBehaviour(memoryHarness);

  it('logs each message at info with the recipient masked, never the text or the code', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const mailbox = createDevMailbox({ kv: createMemoryKeyValueStore(), logger });
    const { id } = await mailbox.send(phoneCode('987654'));
    await mailbox.send({ channel: 'EMAIL', to: 'jane@example.com', template: 'kyc.email_code', text: 'Your code is 135790', data: { code: '135790' } });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, notificationId: id, channel: 'SMS', template: 'kyc.phone_code', to: '+44*******123' });
    expect(lines[1]).toMatchObject({ level: 30, channel: 'EMAIL', to: 'j***@example.com' });
    const logged = JSON.stringify(lines);
    for (const secret of ['987654', '135790', PHONE, 'jane@', 'Your code', 'Your Meridian code']) expect(logged).not.toContain(secret);
  });

  it('refuses a limit or lifetime that is not a positive integer', () => {
    const kv = createMemoryKeyValueStore();
    expect(() => createDevMailbox({ kv, maxPerRecipient: 0 })).toThrow(/maxPerRecipient/);
    expect(() => createDevMailbox({ kv, ttlMs: 1.5 })).toThrow(/ttlMs/);
  });
});

const describeRedis = REDIS_URL ? describe : describe.skip;
describeRedis(REDIS_URL ? 'dev mailbox on Redis' : 'dev mailbox on Redis (skipped: REDIS_URL not set)', () => {
  const url = REDIS_URL ?? 'redis://127.0.0.1:6379';
  devMailboxBehaviour(() => redisHarness(url));

  it('shows what one process sent to another process on the same Redis', async () => {
    const keyPrefix = `test:dev-mailbox:${randomBytes(6).toString('hex')}:`;
    const sender = await createRedisKeyValueStore({ url, keyPrefix });
    const reader = await createRedisKeyValueStore({ url, keyPrefix });
    try {
      const { id } = await createDevMailbox({ kv: sender }).send(phoneCode('246810'));
      expect(await createDevMailbox({ kv: reader }).latest(PHONE, 'kyc.phone_code')).toMatchObject({ id, data: { code: '246810' } });
    } finally {
      await sender.close();
      await reader.close();
      await deleteByPrefix(url, keyPrefix);
    }
  });
});
