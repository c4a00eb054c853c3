import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { errors, loadConfig, readScopeDirectives, type AccessTokenClaims, type MeridianServer } from '@meridian/platform';
import { createTestServiceKeys } from '@meridian/platform/testing';
import { scopesFor } from '@meridian/identity';
import { loadSupergraphSdl } from '@meridian/supergraph';
import { composeTestSupergraph } from '@meridian/supergraph/testing';
import { parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { operationFor, refusedFields } from '../../../test/helpers/scope-sweep';
import { bffConfigSchema, collectExecutedFields, createBffServer, useRequiredScopes, type BffContext } from '../src';

// The BFF checks @authenticated and @requiresScopes on the whole operation before it is
// planned: every field that will execute, however it is reached, against the directives
// composed into the supergraph. A refused operation reaches no subgraph.

function claims(userId: string, scopes: readonly string[], roles: AccessTokenClaims['roles'] = ['CUSTOMER']): AccessTokenClaims {
  return { userId, sessionId: `s-${userId}`, roles, scopes: [...scopes], tokenId: userId, expiresAt: new Date(Date.now() + 600_000), amr: ['pwd'], authTime: new Date() };
}

/** Tokens are their own names here: the test decides who holds which scopes. */
const tokens = new Map<string, AccessTokenClaims>([
  ['customer', claims('u-customer', scopesFor(['CUSTOMER']))],
  ['support', claims('u-support', scopesFor(['SUPPORT']), ['SUPPORT'])],
  ['reader', claims('u-reader', ['a:read'])],
  ['vault', claims('u-vault', ['vault:read'])],
]);
const verifyAccessToken = async (token: string) => {
  const found = tokens.get(token);
  // The JWKS could not be fetched: the token is not judged.
  if (token === 'keys-unreachable') throw errors.unavailable('Access tokens cannot be checked right now. Try again shortly.');
  if (!found) throw errors.unauthenticated('The access token is not valid.');
  return found;
};

const apiSchemaOf = (supergraphSdl: string) =>
  Supergraph.build(supergraphSdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();

/** A test subgraph with unions, interfaces and restricted members, composed the way `npm run compose` does. */
const testSupergraph = composeTestSupergraph([
  {
    name: 'things',
    url: 'http://127.0.0.1:1/graphql',
    typeDefs: /* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes"])
      interface Named { name: String }
      type Open implements Named { name: String tally: Int }
      type Vault implements Named @requiresScopes(scopes: [["vault:read"]]) { name: String gold: Int }
      union Anything = Open | Vault
      type Query {
        open: Open
        anything: Anything
        named: [Named!]!
        mine: String @authenticated
        readable: String @requiresScopes(scopes: [["a:read"]])
      }
    `,
  },
]);
const testSchema = apiSchemaOf(testSupergraph);

function request(schema: GraphQLSchema, source: string, variables: Record<string, unknown> = {}, authorization?: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const contextValue = { authorization, clientIp: '127.0.0.1', state: {} } as unknown as BffContext;
  // The guard reads only what Apollo's request context has at didResolveOperation.
  return { schema, document, operation, request: { variables }, contextValue } as never;
}

const executed = (source: string, variables?: Record<string, unknown>) =>
  collectExecutedFields(request(testSchema, source, variables)).map((f) => `${f.parentType.name}.${f.name}`).sort();

describe('collectExecutedFields', () => {
  it('walks named and inline fragments, every member of a union or interface, and leaves out skipped fields and introspection', () => {
    const source = /* GraphQL */ `
      query Q($skip: Boolean!) {
        __typename
        open { ...OpenParts }
        anything { ... on Vault { gold } }
        named { name ... on Open { tally @skip(if: $skip) } }
        mine @include(if: false)
      }
      fragment OpenParts on Open { name }
    `;
    expect(executed(source, { skip: true })).toEqual([
      'Open.name',
      'Query.anything',
      'Query.named',
      'Query.open',
      'Vault.gold',
      'Vault.name',
    ]);
    expect(executed(source, { skip: false })).toContain('Open.tally');
  });

  it('refuses variables that do not coerce with BAD_USER_INPUT, as execution would', () => {
    expect(() => executed(`query Q($skip: Boolean!) { open @skip(if: $skip) { name } }`, { skip: 'yes' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });
});

describe('the required-scopes guard', () => {
  const guard = useRequiredScopes({ supergraphSdl: testSupergraph, verifyAccessToken }).guard!;
  const refusal = async (source: string, authorization?: string) => {
    try {
      await guard(request(testSchema, source, {}, authorization));
      return undefined;
    } catch (err) {
      return (err as { extensions: Record<string, unknown> }).extensions;
    }
  };

  it('lets open fields through without a token', async () => {
    expect(await refusal('{ open { name tally } anything { ... on Open { name } } }')).toBeUndefined();
  });

  it('answers UNAUTHENTICATED (401) without a valid token, naming the fields', async () => {
    expect(await refusal('{ mine readable }')).toEqual({ code: 'UNAUTHENTICATED', fields: ['Query.mine', 'Query.readable'], http: { status: 401 } });
    expect(await refusal('{ mine }', 'Bearer forged')).toMatchObject({ code: 'UNAUTHENTICATED', fields: ['Query.mine'] });
  });

  it('answers SERVICE_UNAVAILABLE (503), not UNAUTHENTICATED, when the token could not be checked', async () => {
    expect(await refusal('{ mine }', 'Bearer keys-unreachable')).toMatchObject({ code: 'SERVICE_UNAVAILABLE', http: { status: 503 } });
  });

  it('answers FORBIDDEN (403) for a field whose scopes the token lacks, however deep in fragments it hides', async () => {
    const hidden = `{ open { name } anything { ... on Open { name } ...V } } fragment V on Vault { ... on Named { name } }`;
    expect(await refusal(hidden, 'Bearer reader')).toEqual({ code: 'FORBIDDEN', fields: ['Vault.name'], http: { status: 403 } });
    // Through the interface: composition gives it its members' requirements, and the field is met on every member.
    expect(await refusal('{ named { name } }', 'Bearer reader')).toEqual({ code: 'FORBIDDEN', fields: ['Query.named', 'Vault.name'], http: { status: 403 } });
    expect(await refusal('{ named { name } }', 'Bearer vault')).toBeUndefined();
    expect(await refusal('{ readable mine }', 'Bearer reader')).toBeUndefined();
    expect(await refusal('{ readable }', 'Bearer customer')).toMatchObject({ code: 'FORBIDDEN', fields: ['Query.readable'] });
  });
});

describe('the BFF on the real supergraph', () => {
  const supergraphSdl = loadSupergraphSdl();
  const api = apiSchemaOf(supergraphSdl);
  const directives = readScopeDirectives(parse(supergraphSdl));
  const staffFields = refusedFields(api, directives, scopesFor(['CUSTOMER']));
  let tripwire: http.Server;
  let calls = 0;
  let bff: MeridianServer;

  beforeAll(async () => {
    // Every subgraph is this server, which only counts: a refused operation must never reach it.
    tripwire = http.createServer((req, res) => {
      calls += 1;
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => tripwire.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(tripwire.address() as AddressInfo).port}/graphql`;
    const keys = await createTestServiceKeys();
    bff = await createBffServer({
      name: 'bff-test',
      config: loadConfig(bffConfigSchema, { ...process.env }),
      limits: { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxTokens: 5_000, maxRootFields: 20, maxCost: 100_000, defaultListSize: 10 },
      deps: {
        supergraphSdl,
        issueServiceToken: keys.issuerFor('bff-test'),
        verifyAccessToken,
        subgraphUrls: Object.fromEntries(['identity', 'banking', 'kyc', 'payments', 'insights'].map((name) => [name, url])),
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    tripwire?.closeAllConnections();
    await new Promise((resolve) => tripwire?.close(resolve));
  });

  const post = async (query: string, token?: string) => {
    const res = await bff.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: { query },
    });
    return { status: res.statusCode, body: res.json() as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] } };
  };

  it('finds the staff fields in the schema itself', () => {
    expect(staffFields).toEqual(expect.arrayContaining(['Query.customer', 'Mutation.setRoles', 'Query.kycReviewQueue', 'KycCase.checks', 'Mutation.decidePayment']));
  });

  it('refuses a customer token on every staff field with FORBIDDEN naming it, and calls no subgraph', async () => {
    for (const coordinate of staffFields) {
      const res = await post(operationFor(api, coordinate), 'customer');
      expect({ coordinate, status: res.status, code: res.body.errors?.[0].extensions?.code }).toEqual({ coordinate, status: 403, code: 'FORBIDDEN' });
      expect(res.body.errors?.[0].extensions?.fields).toContain(coordinate);
    }
    expect(calls).toBe(0);
  });

  it('refuses every staff field without a token with UNAUTHENTICATED, calling no subgraph', async () => {
    for (const coordinate of staffFields) {
      const res = await post(operationFor(api, coordinate));
      expect({ coordinate, status: res.status, code: res.body.errors?.[0].extensions?.code }).toEqual({ coordinate, status: 401, code: 'UNAUTHENTICATED' });
    }
    expect(calls).toBe(0);
  });

  it('refuses a staff token every money mutation and every customer read, calling no subgraph', async () => {
    const moneyMoves = ['Mutation.transferBetweenOwnAccounts', 'Mutation.createPayment', 'Mutation.confirmPayment', 'Mutation.refundPayment', 'Mutation.createScheduledPayment'];
    for (const coordinate of [...moneyMoves, 'Query.account', 'Query.payments']) {
      const res = await post(operationFor(api, coordinate), 'support');
      expect({ coordinate, code: res.body.errors?.[0].extensions?.code }).toEqual({ coordinate, code: 'FORBIDDEN' });
    }
    expect(calls).toBe(0);
  });

  it('lets an allowed operation through to the subgraphs (so the tripwire above would have caught one)', async () => {
    await post(`{ me { id accounts { id } } }`, 'customer');
    await post(`{ customer(id: "00000000-0000-7000-8000-000000000000", reason: "ticket 1") { id accounts { id } } }`, 'support');
    expect(calls).toBe(2);
  });
});
