import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  createMemoryKeyValueStore,
  isDevMailbox,
  loadBaseConfig,
  openNotifier,
  type Notifier,
} from '@meridian/platform';

const kv = createMemoryKeyValueStore();
afterAll(() => kv.close());

const webhook = {
  NOTIFICATIONS_WEBHOOK_URL: 'https://notifications.internal/send',
  NOTIFICATIONS_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
};

describe('openNotifier', () => {
  it('opens the dev mailbox by default outside production, and it reads back what it sent', async () => {
    for (const NODE_ENV of ['development', 'test']) {
      const notifier: Notifier = openNotifier(loadBaseConfig({ NODE_ENV }), { kv });
      expect(isDevMailbox(notifier)).toBe(true);
    }
    const notifier = openNotifier(loadBaseConfig({ NODE_ENV: 'development' }), { kv });
    const { id } = await notifier.send({ channel: 'SMS', to: '+447700900777', template: 'kyc.phone_code', text: 'Code 1', data: { code: '1' } });
    if (!isDevMailbox(notifier)) throw new Error('expected the dev mailbox');
    expect((await notifier.latest('+447700900777'))?.id).toBe(id);
  });

  it('opens the webhook notifier when asked, in or out of production', () => {
    for (const NODE_ENV of ['development', 'production']) {
      const notifier = openNotifier(loadBaseConfig({ NODE_ENV, NOTIFICATIONS: 'webhook', ...webhook }), { kv });
      expect(isDevMailbox(notifier)).toBe(false);
      expect(typeof notifier.send).toBe('function');
    }
  });

  it('refuses the dev mailbox in production, asked for or by default', () => {
    expect(() => openNotifier(loadBaseConfig({ NODE_ENV: 'production', NOTIFICATIONS: 'dev-mailbox' }), { kv })).toThrow(/NOTIFICATIONS must be "webhook" in production/);
    expect(() => openNotifier(loadBaseConfig({ NODE_ENV: 'production', ...webhook }), { kv })).toThrow(/NOTIFICATIONS must be "webhook" in production/);
  });

  it('refuses the webhook without its URL or secret', () => {
    for (const missing of ['NOTIFICATIONS_WEBHOOK_URL', 'NOTIFICATIONS_WEBHOOK_SECRET'] as const) {
      const env = { NODE_ENV: 'production', NOTIFICATIONS: 'webhook', ...webhook, [missing]: '' };
      expect(() => openNotifier(loadBaseConfig(env), { kv })).toThrow(/NOTIFICATIONS_WEBHOOK_URL and NOTIFICATIONS_WEBHOOK_SECRET/);
    }
  });

  it.each([
    ['NOTIFICATIONS', 'sms-gateway'],
    ['NOTIFICATIONS_WEBHOOK_URL', 'ftp://notifications.internal/'],
    ['NOTIFICATIONS_WEBHOOK_SECRET', 'plain-text-secret'],
  ])('refuses %s=%s when the configuration loads', (name, value) => {
    let error: unknown;
    try {
      loadBaseConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([expect.stringMatching(new RegExp(`^${name}:`))]);
  });
});
