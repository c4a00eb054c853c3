import { randomUUID } from 'node:crypto';
import { checkRouteProtection } from '@meridian/platform/testing';
import { startKyc, type KycHarness } from '../helpers/kyc-harness';

let h: KycHarness;
beforeAll(async () => {
  h = await startKyc({ NODE_ENV: 'test' });
});
afterAll(() => h.close());

// Thousands of requests: a generous timeout, since CI machines are shared.
describe('kyc route protection', () => {
  it('lets only KYC_API_CALLERS read tiers, the gateway and BFFs reach /graphql and documents, and anyone only the signed webhook', async () => {
    const userId = randomUUID();
    const report = await checkRouteProtection({
      app: h.server.app,
      audience: 'kyc',
      keys: h.serviceKeys,
      // The webhook authenticates by its signature (tested in bad-input-and-privacy); the dev mailbox exists only in development.
      publicRoutes: [
        { url: '/health/live', methods: ['GET', 'HEAD'] },
        { url: '/health/ready', methods: ['GET', 'HEAD'] },
        { url: '/metrics', methods: ['GET'] },
        { url: '/webhooks/verification', methods: ['POST'] },
      ],
      probes: [
        {
          method: 'POST',
          route: '/graphql',
          body: () => ({ query: '{ _service { sdl } }' }),
          caller: 'bff-web',
          refusedCallers: ['payments'],
          reachedHandler: (res) => typeof res.json?.data?._service?.sdl === 'string',
        },
        {
          method: 'GET',
          route: '/internal/kyc/users/:userId/tier',
          path: `/internal/kyc/users/${userId}/tier`,
          caller: 'payments',
          refusedCallers: ['gateway', 'bff-web', 'bff-mobile'],
          reachedHandler: (res) => res.status === 200 && res.json?.tier === 'TIER_0' && res.json?.userId === userId,
        },
        {
          method: 'GET',
          route: '/documents/:id',
          path: `/documents/${randomUUID()}`,
          caller: 'bff-mobile',
          refusedCallers: ['payments'],
          // Without the user's token the handler itself refuses, naming its realm (HEAD answers have no body).
          reachedHandler: (res) => res.status === 401 && res.headers['www-authenticate'] === 'Bearer realm="meridian-documents"',
        },
      ],
    });
    expect(report.violations).toEqual([]);
    expect(report.attempts).toBeGreaterThan(500);
  }, 300_000);

  it('answers a user’s tier and limits to payments', async () => {
    const res = await h.inject('GET', `/internal/kyc/users/${randomUUID()}/tier`, { caller: 'payments' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ tier: 'TIER_0', limits: { singlePayment: '0.00', currency: 'GBP' }, updatedAt: null });
    const bad = await h.inject('GET', '/internal/kyc/users/not-a-uuid/tier', { caller: 'payments' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
  });
});
