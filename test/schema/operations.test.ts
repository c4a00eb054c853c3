import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import type { Client } from '@meridian/schema';
import { loadOperations } from '../helpers/operations';
import { loadSupergraphSdl } from '@meridian/supergraph';
import { validate, type GraphQLSchema } from 'graphql';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';

// The clients see the API schema (the supergraph without join/federation machinery);
// every operation the apps ship must validate against it.
let api: GraphQLSchema;
beforeAll(() => {
  api = Supergraph.build(loadSupergraphSdl(), { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
});

describe.each(['web', 'mobile'] as Client[])('%s operations', (client) => {
  it('exist and validate against the composed API schema', () => {
    const operations = loadOperations(client);
    expect(operations.size).toBeGreaterThan(0);
    for (const [file, document] of operations) {
      expect({ file, errors: validate(api, document).map((e) => e.message) }).toEqual({ file, errors: [] });
    }
  });

});

describe('the schema the BFFs serve', () => {
  it('is the API schema: federation internals (_entities, _service) fail validation there, before any subgraph is called', async () => {
    const bff = await createMobileBffServer(loadMobileBffConfig({ ...process.env, IDENTITY_URL: 'http://127.0.0.1:9/graphql', BANKING_URL: 'http://127.0.0.1:9/graphql' }));
    try {
      for (const query of ['{ _service { sdl } }', '{ _entities(representations: [{ __typename: "User", id: "x" }]) { __typename } }']) {
        const res = await bff.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query } });
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
      // The same BFF answers a field of the API schema (here with no subgraph to reach, so only validation is checked).
      const ok = await bff.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: '{ __typename }' } });
      expect(ok.json()).toMatchObject({ data: { __typename: 'Query' } });
    } finally {
      await bff.close();
    }
  });
});
