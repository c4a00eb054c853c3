import { createServiceTokenVerifier } from '@meridian/platform';
import { checkRouteProtection } from '@meridian/platform/testing';
import { createCapturingLogger, startFakeSupergraph, type FakeSubgraph, type TestServiceKeys } from '@meridian/supergraph/testing';
import { createGatewayServer, loadGatewayConfig } from '../src';

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;
beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(() => subgraph.close());

// Thousands of requests: a generous timeout, since CI machines are shared.
describe('gateway route protection', () => {
  it('needs a BFF’s service token for the gateway on /graphql however the target is spelled, and keeps only health and metrics public', async () => {
    const server = await createGatewayServer(loadGatewayConfig({ ...process.env }), {
      logger: createCapturingLogger().logger,
      supergraphSdl,
      issueServiceToken: keys.issuerFor('gateway'),
      verifyServiceToken: createServiceTokenVerifier({ audience: 'gateway', trustedKeys: keys.trustedKeys }),
    });
    try {
      const report = await checkRouteProtection({
        app: server.app,
        audience: 'gateway',
        keys,
        publicRoutes: [
          { url: '/health/live', methods: ['GET', 'HEAD'] },
          { url: '/health/ready', methods: ['GET', 'HEAD'] },
          { url: '/metrics', methods: ['GET'] },
        ],
        probes: [
          {
            method: 'POST',
            route: '/graphql',
            body: () => ({ query: '{ __typename }' }),
            caller: 'bff-mobile',
            // Services that sign tokens but are not GATEWAY_CALLERS: they must not run the public supergraph.
            refusedCallers: ['payments', 'insights'],
            reachedHandler: (res) => res.json?.data?.__typename === 'Query',
          },
        ],
      });
      expect(report.violations).toEqual([]);
      expect(report.attempts).toBeGreaterThan(200);
    } finally {
      await server.close();
    }
  }, 300_000);
});
