import { checkRouteProtection } from '@meridian/platform/testing';
import { startInsights, type InsightsHarness } from '../helpers/insights-harness';

let h: InsightsHarness;
beforeAll(async () => {
  h = await startInsights({ workers: false });
}, 120_000);
afterAll(() => h.close());

// Thousands of requests: a generous timeout, since CI machines are shared.
describe('insights route protection', () => {
  it('lets only the gateway and the BFFs reach /graphql and only the BFFs the CSV export, however the request target is spelled', async () => {
    const report = await checkRouteProtection({
      app: h.insights.app,
      audience: 'insights',
      keys: h.serviceKeys,
      publicRoutes: [
        { url: '/health/live', methods: ['GET', 'HEAD'] },
        { url: '/health/ready', methods: ['GET', 'HEAD'] },
        { url: '/metrics', methods: ['GET'] },
      ],
      probes: [
        {
          method: 'POST',
          route: '/graphql',
          body: () => ({ query: '{ _service { sdl } }' }),
          caller: 'bff-mobile',
          refusedCallers: ['payments', 'insights'],
          reachedHandler: (res) => typeof res.json?.data?._service?.sdl === 'string',
        },
        {
          method: 'GET',
          route: '/exports/transactions.csv',
          path: '/exports/transactions.csv?from=2026-11-01&to=2026-11-30',
          caller: 'bff-web',
          // The gateway reaches /graphql only; the export is the BFFs' (INSIGHTS_API_CALLERS).
          refusedCallers: ['gateway', 'payments', 'insights'],
          // The handler's own answer to a service token without a customer's access token (HEAD has only its headers).
          reachedHandler: (res) => res.status === 401 && res.headers['www-authenticate'] === 'Bearer realm="meridian"',
        },
      ],
    });
    expect(report.violations).toEqual([]);
    expect(report.attempts).toBeGreaterThan(300);
  }, 300_000);
});
