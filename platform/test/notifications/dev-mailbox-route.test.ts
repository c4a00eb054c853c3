import Fastify from 'fastify';
import { createDevMailbox, createMemoryKeyValueStore, createWebhookNotifier, devMailboxToServe, serveDevMailbox, DEV_MAILBOX_ROUTE } from '@meridian/platform';

describe('the development mailbox route', () => {
  const kv = createMemoryKeyValueStore();
  afterAll(() => kv.close());
  const mailbox = createDevMailbox({ kv });

  it('is served only in development, and only for a mailbox', () => {
    expect(devMailboxToServe({ NODE_ENV: 'development' }, mailbox)).toBe(mailbox);
    expect(devMailboxToServe({ NODE_ENV: 'test' }, mailbox)).toBeUndefined();
    expect(devMailboxToServe({ NODE_ENV: 'production' }, mailbox)).toBeUndefined();
    const webhook = createWebhookNotifier({ url: 'https://notifications.internal/send', secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` });
    expect(devMailboxToServe({ NODE_ENV: 'development' }, webhook)).toBeUndefined();
  });

  it('lists what was sent to an email address or a phone number (an unencoded + included), and asks for ?to=', async () => {
    await mailbox.send({ channel: 'EMAIL', to: 'Ana@Example.com', template: 'identity.email_verification', text: 'Link' });
    await mailbox.send({ channel: 'SMS', to: '+447700900123', template: 'kyc.phone_code', text: 'Code' });
    const app = Fastify();
    serveDevMailbox(app, mailbox);
    const email = await app.inject({ method: 'GET', url: `${DEV_MAILBOX_ROUTE}?to=ana%40example.com` });
    expect(email.json()).toMatchObject({ to: 'ana@example.com', messages: [{ template: 'identity.email_verification' }] });
    const phone = await app.inject({ method: 'GET', url: `${DEV_MAILBOX_ROUTE}?to=+447700900123` });
    expect(phone.json()).toMatchObject({ to: '+447700900123', messages: [{ template: 'kyc.phone_code' }] });
    const missing = await app.inject({ method: 'GET', url: DEV_MAILBOX_ROUTE });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].extensions.code).toBe('BAD_USER_INPUT');
    await app.close();
  });
});
