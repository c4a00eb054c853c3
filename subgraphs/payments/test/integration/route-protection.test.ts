import { checkRouteProtection } from '@meridian/platform/testing';
import { startPayments, type PaymentsHarness } from '../helpers/payments-harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
}, 120_000);
afterAll(() => h.close());

// Thousands of requests: a generous timeout, since CI machines are shared.
describe('payments route protection', () => {
  it('lets only the gateway and the BFFs reach /graphql, however the request target is spelled', async () => {
    const report = await checkRouteProtection({
      app: h.payments.app,
      audience: 'payments',
      keys: h.serviceKeys,
      // The provider webhook authenticates by its signature (tested in payouts).
      publicRoutes: [
        { url: '/health/live', methods: ['GET', 'HEAD'] },
        { url: '/health/ready', methods: ['GET', 'HEAD'] },
        { url: '/metrics', methods: ['GET'] },
        { url: '/webhooks/payments', methods: ['POST'] },
      ],
      probes: [
        {
          method: 'POST',
          route: '/graphql',
          body: () => ({ query: '{ _service { sdl } }' }),
          caller: 'bff-mobile',
          refusedCallers: ['payments'],
          reachedHandler: (res) => typeof res.json?.data?._service?.sdl === 'string',
        },
      ],
    });
    expect(report.violations).toEqual([]);
    expect(report.attempts).toBeGreaterThan(300);
  }, 300_000);
});
