// What the BFF tests against a small subgraph of their own share: the subgraph on a real port, tokens
// that are their own names, a BFF on that subgraph with budgets no test reaches, and a GraphQL call.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { errors, loadConfig, type AccessTokenClaims, type MeridianServer } from '@meridian/platform';
import type { TestServiceKeys } from '@meridian/platform/testing';
import { composeTestSupergraph } from '@meridian/supergraph/testing';
import { execute, parse } from 'graphql';
import { bffConfigSchema, createBffServer, type BffDeps } from '../../src';

function claims(userId: string, roles: AccessTokenClaims['roles'], sessionId = `s-${userId}`): AccessTokenClaims {
  return { userId, sessionId, roles, scopes: ['accounts:read'], tokenId: userId, expiresAt: new Date(Date.now() + 600_000), amr: ['pwd'], authTime: new Date() };
}

/** Tokens are their own names: two customers, a second session of the first (`alice-2`), and a member of staff. */
const TOKENS = new Map<string, AccessTokenClaims>([
  ['alice', claims('u-alice', ['CUSTOMER'])],
  ['alice-2', claims('u-alice', ['CUSTOMER'], 's-alice-2')],
  ['bob', claims('u-bob', ['CUSTOMER'])],
  ['support', claims('u-support', ['SUPPORT'])],
]);

/** Verifies the test tokens: each name is its own token; anything else is UNAUTHENTICATED. */
export async function verifyTestToken(token: string): Promise<AccessTokenClaims> {
  const found = TOKENS.get(token);
  if (!found) throw errors.unauthenticated('The access token is not valid.');
  return found;
}

/** What the subgraph was sent: the query, its variables and the request's headers. */
export interface SubgraphRequest {
  query: string;
  variables?: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

export interface TestSubgraph {
  url: string;
  typeDefs: string;
  close(): Promise<void>;
}

/**
 * A federated subgraph on a port of its own executing `typeDefs` with `resolvers`; `context` makes
 * each request's context value, and `responseHeaders` the headers of each answer.
 */
export async function startTestSubgraph(options: {
  typeDefs: string;
  resolvers: object;
  context(request: SubgraphRequest): object;
  responseHeaders?: () => Record<string, string>;
}): Promise<TestSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(options.typeDefs), resolvers: options.resolvers as never }]);
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', async () => {
      const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
      const contextValue = options.context({ ...body, headers: request.headers });
      const result = await execute({ schema, document: parse(body.query), variableValues: body.variables, contextValue });
      response.writeHead(200, { 'content-type': 'application/json', ...options.responseHeaders?.() });
      response.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    typeDefs: options.typeDefs,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A BFF named `name` on the one subgraph, verifying the test tokens, with request budgets no test reaches. */
export function startTestBff(
  name: string,
  subgraph: TestSubgraph,
  keys: TestServiceKeys,
  options: { deps?: Partial<BffDeps>; env?: Record<string, string> } = {},
): Promise<MeridianServer> {
  return createBffServer({
    name,
    config: loadConfig(bffConfigSchema, { ...process.env, RATE_LIMIT_CUSTOMER: '100000', RATE_LIMIT_STAFF: '100000', RATE_LIMIT_ANONYMOUS: '100000', ...options.env }),
    limits: { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxTokens: 5_000, maxRootFields: 20, maxCost: 100_000, defaultListSize: 10 },
    deps: {
      supergraphSdl: composeTestSupergraph([{ name: 'test', url: subgraph.url, typeDefs: subgraph.typeDefs }]),
      issueServiceToken: keys.issuerFor(name),
      verifyAccessToken: verifyTestToken,
      ...options.deps,
    },
  });
}

/** POSTs `query` to the BFF's /graphql, with the bearer `token` when given. */
export async function postGraphQL(server: MeridianServer, query: string, token?: string) {
  const res = await server.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: { query },
  });
  return { headers: res.headers, ...(res.json() as { data?: Record<string, unknown>; errors?: { message?: string; extensions?: { code?: string } }[] }) };
}
