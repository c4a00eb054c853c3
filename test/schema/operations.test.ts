import { Supergraph } from '@apollo/federation-internals';
import type { Client } from '@meridian/schema';
import { loadOperations } from '../helpers/operations';
import { loadSupergraphSdl } from '@meridian/supergraph';
import { validate, type GraphQLSchema } from 'graphql';

// The clients see the API schema (the supergraph without join/federation machinery);
// every operation the apps ship must validate against it.
let api: GraphQLSchema;
beforeAll(() => {
  api = Supergraph.build(loadSupergraphSdl()).apiSchema().toGraphQLJSSchema();
});

describe.each(['web', 'mobile'] as Client[])('%s operations', (client) => {
  it('exist and validate against the composed API schema', () => {
    const operations = loadOperations(client);
    expect(operations.size).toBeGreaterThan(0);
    for (const [file, document] of operations) {
      expect({ file, errors: validate(api, document).map((e) => e.message) }).toEqual({ file, errors: [] });
    }
  });

  it('does not expose federation internals to clients', () => {
    expect(api.getQueryType()?.getFields()._entities).toBeUndefined();
    expect(api.getQueryType()?.getFields()._service).toBeUndefined();
  });
});
