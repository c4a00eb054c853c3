import { checkRouteProtection } from '@meridian/platform/testing';
import { startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

// Thousands of requests: a generous timeout, since CI machines are shared.
describe('identity route protection', () => {
  it('lets only the gateway and the BFFs reach /graphql, however the request target is spelled, and keeps health, metrics and the JWKS public', async () => {
    const report = await checkRouteProtection({
      app: h.server.app,
      audience: 'identity',
      keys: h.serviceKeys,
      publicRoutes: ['/health/live', '/health/ready', '/metrics', '/.well-known/jwks.json'],
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
  }, 120_000);
});
