import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  createServiceTokenVerifier,
  mountApollo,
  useServiceAccess,
  type ServiceTokenVerifierOptions,
} from '@meridian/platform';
import Fastify from 'fastify';
import { parse } from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';

/** A test subgraph: a chain of nodes for depth limits, header echo, a leaky failure and a slow field. */
export const fakeSubgraphTypeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "What the subgraph received, for propagation checks."
    echo: Echo!
    "The head of an endless chain, for depth limits."
    node: Node
    "Fails with an error full of internals that must never reach a client."
    boom: String
    "Answers after ms milliseconds."
    slow(ms: Int!): String
  }

  type Echo {
    authorization: String
    traceparent: String
    requestId: String
    clientIp: String
    userAgent: String
    idempotencyKey: String
    caller: String
  }

  type Node @key(fields: "id") {
    id: ID!
    child: Node
  }
`;

/** A query on the fake subgraph exactly `depth` field levels deep (at least 2): `{ node { child { ... id } } }`. */
export function deepNodeQuery(depth: number): string {
  if (depth < 2) throw new Error('deepNodeQuery needs a depth of at least 2');
  const children = depth - 2;
  return `{ node { ${'child { '.repeat(children)}id${' }'.repeat(children)} } }`;
}

/** The message `boom` fails with: it holds a URL, SQL and an address, as real leaks do. */
export const LEAKY_ERROR_MESSAGE =
  'connect ECONNREFUSED 10.20.30.40:5432 running SELECT * FROM identity.users via http://10.20.30.40:4201/graphql';

interface FakeContext {
  headers: IncomingHttpHeaders;
  caller?: string;
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const fakeResolvers = {
  Query: {
    echo: (_: unknown, __: unknown, { headers, caller }: FakeContext) => ({
      authorization: first(headers.authorization),
      traceparent: first(headers.traceparent),
      requestId: first(headers['x-request-id']),
      clientIp: first(headers['x-client-ip']),
      userAgent: first(headers['x-client-user-agent']),
      idempotencyKey: first(headers['idempotency-key']),
      caller,
    }),
    node: () => ({ id: '1' }),
    boom: () => {
      throw new Error(LEAKY_ERROR_MESSAGE);
    },
    slow: async (_: unknown, { ms }: { ms: number }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 'done';
    },
  },
  Node: {
    child: (node: { id: string }) => ({ id: String(Number(node.id) + 1) }),
  },
};

/** Options for {@link startFakeSubgraph}. */
export interface FakeSubgraphOptions {
  /** Subgraph name, and the audience its service tokens must carry; default `fake`. */
  name?: string;
  /** Public keys it accepts service tokens from. */
  trustedKeys: ServiceTokenVerifierOptions['trustedKeys'];
}

/** One request as the fake subgraph received it (also ones it refused). */
export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  status: number;
}

/** A running fake subgraph. */
export interface FakeSubgraph {
  name: string;
  url: string;
  typeDefs: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a federated subgraph on a random local port that, like the real ones,
 * refuses calls without a service token for its name. It returns stack traces
 * in errors on purpose, so tests can prove the gateway masks them.
 */
export async function startFakeSubgraph(options: FakeSubgraphOptions): Promise<FakeSubgraph> {
  const name = options.name ?? 'fake';
  // Drop keep-alive sockets on close: the gateway's shared fetch pool would otherwise hold close() open.
  const app = Fastify({ forceCloseConnections: true });
  const requests: RecordedRequest[] = [];
  app.addHook('onResponse', async (request, reply) => {
    requests.push({ headers: request.headers, status: reply.statusCode });
  });
  useServiceAccess(app, { verify: createServiceTokenVerifier({ audience: name, trustedKeys: options.trustedKeys }), publicRoutes: [] });
  const apollo = new ApolloServer<FakeContext>({
    // Shutdown is closeOnSignals' job: Apollo's own handler re-raises the signal before our closers run.
    stopOnTerminationSignals: false,
    // The module-list form takes resolvers for any context; the single-module form insists on `unknown`.
    schema: buildSubgraphSchema([{ typeDefs: parse(fakeSubgraphTypeDefs), resolvers: fakeResolvers }]),
    includeStacktraceInErrorResponses: true,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  mountApollo(app, apollo, {
    allowGet: false,
    context: async (request) => ({ headers: request.headers, caller: request.serviceCaller }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as net.AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${address.port}/graphql`,
    typeDefs: fakeSubgraphTypeDefs,
    requests,
    async close() {
      await app.close();
      await apollo.stop();
    },
  };
}

/** A local URL nobody listens on, for "subgraph is down" tests. */
export async function unusedSubgraphUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}
