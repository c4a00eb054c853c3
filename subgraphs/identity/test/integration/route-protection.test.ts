import { checkRouteProtection } from '@meridian/platform/testing';
import { startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

// Thousands of requests: a generous timeout, since CI machines are shared.
describe('identity route protection', () => {
  it('lets only the gateway and the BFFs reach /graphql, only payments the lookup and only the web BFF the API-key exchange, however the request target is spelled, and keeps health, metrics and the JWKS public', async () => {
    const report = await checkRouteProtection({
      app: h.server.app,
      audience: 'identity',
      keys: h.serviceKeys,
      publicRoutes: [
        { url: '/health/live', methods: ['GET', 'HEAD'] },
        { url: '/health/ready', methods: ['GET', 'HEAD'] },
        { url: '/metrics', methods: ['GET'] },
        { url: '/.well-known/jwks.json', methods: ['GET', 'HEAD'] },
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
        {
          method: 'POST',
          route: '/internal/identity/users/lookup',
          body: () => ({ email: 'nobody@example.com' }),
          caller: 'payments',
          refusedCallers: ['gateway', 'bff-mobile', 'bff-web'],
          // The handler's own answer for nobody, not the server's 404 for a path it does not route.
          reachedHandler: (res) => res.status === 404 && res.json?.errors?.[0]?.message === 'No customer has this email address or phone number.',
        },
        {
          method: 'POST',
          route: '/internal/identity/api-keys/exchange',
          body: () => ({}),
          caller: 'bff-web',
          refusedCallers: ['payments', 'gateway', 'bff-mobile'],
          // The handler's own refusal of a body without a key.
          reachedHandler: (res) => res.status === 400 && res.json?.errors?.[0]?.message === 'Send {"key": "mk_live_..."}.',
        },
        {
          method: 'POST',
          route: '/internal/identity/api-keys/used',
          body: () => ({}),
          caller: 'bff-web',
          refusedCallers: ['payments', 'gateway', 'bff-mobile'],
          reachedHandler: (res) => res.status === 400 && res.json?.errors?.[0]?.message === 'Send {"keyIds": ["<key id>", ...]} with 1 to 100 ids.',
        },
      ],
    });
    expect(report.violations).toEqual([]);
    expect(report.attempts).toBeGreaterThan(300);
  }, 300_000);
});
