import { createHash } from 'node:crypto';
import { createMemoryKeyValueStore, type KeyValueStore } from '@meridian/platform';
import { WebSessionStore } from '../src/session/web-session-store';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let clock: number;
let kv: KeyValueStore;
let store: WebSessionStore;

beforeEach(() => {
  clock = Date.parse('2026-01-05T09:00:00Z');
  kv = createMemoryKeyValueStore({ now: () => clock });
  store = new WebSessionStore(kv, { idleMs: 30 * MINUTE, absoluteMs: 12 * HOUR }, () => clock);
});
afterEach(() => kv.close());

const tokens = (id = 'sid-1') => ({
  id,
  userId: 'user-1',
  accessToken: 'access',
  accessExpiresAt: clock + 10 * MINUTE,
  refreshToken: 'refresh',
  refreshExpiresAt: clock + 30 * 24 * HOUR,
});

describe('web session store', () => {
  it('keeps only a hash of the cookie value, never the value itself', async () => {
    const { secret } = await store.create(tokens());
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await kv.get(`web-session:${secret}`)).toBeNull();
    expect(await kv.get(`web-session:${createHash('sha256').update(secret).digest('hex')}`)).not.toBeNull();
  });

  it('ends a session after 30 idle minutes, and each request restarts the idle timer', async () => {
    const { secret } = await store.create(tokens());
    clock += 29 * MINUTE;
    const loaded = await store.load(secret);
    expect(loaded).not.toBeNull();
    await store.touch(loaded!);
    clock += 29 * MINUTE;
    expect(await store.load(secret)).not.toBeNull();
    clock += 31 * MINUTE;
    expect(await store.load(secret)).toBeNull();
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const { secret } = await store.create(tokens());
    for (let t = 0; t < 12 * 60 - 20; t += 20) {
      clock += 20 * MINUTE;
      const loaded = await store.load(secret);
      expect(loaded).not.toBeNull();
      await store.touch(loaded!);
    }
    clock += 20 * MINUTE;
    expect(await store.load(secret)).toBeNull();
  });

  it('refuses cookie values that are not its own shape without a lookup', async () => {
    expect(await store.load(undefined)).toBeNull();
    expect(await store.load('')).toBeNull();
    expect(await store.load('x'.repeat(10_000))).toBeNull();
    expect(await store.load('../../etc/passwd')).toBeNull();
  });

  it('ends a session by its identity session id (remote sign-out)', async () => {
    const one = await store.create(tokens('sid-1'));
    const two = await store.create(tokens('sid-2'));
    expect(await store.destroyById('sid-1')).toBe(true);
    expect(await store.destroyById('sid-1')).toBe(false);
    expect(await store.load(one.secret)).toBeNull();
    expect(await store.load(two.secret)).not.toBeNull();
  });

  it('does not let a touch undo a refresh that happened in between', async () => {
    const { secret } = await store.create(tokens());
    const stale = (await store.load(secret))!;
    await store.save({ handle: stale.handle, session: { ...stale.session, refreshToken: 'rotated' } });
    await store.touch(stale);
    expect((await store.load(secret))!.session.refreshToken).toBe('rotated');
  });
});
