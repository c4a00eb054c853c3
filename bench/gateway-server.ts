// One process of the gateway benchmark, started by bench/gateway-stack.ts:
// `node --import tsx bench/gateway-server.ts <role>` with its settings in the environment.
// The roles are the four subgraphs (`subgraph:users`, …) and the targets: bare
// `@apollo/gateway` in Apollo Server, Hive Gateway on the Rust planner (`@graphql-hive/router-runtime`)
// with its defaults and with in-flight merging off, and both Meridian BFFs built as their main.ts
// builds them, on the benchmark's supergraph (the mobile one also with its merging off: the engine alone). Each listens on a free port, tells the parent where
// over IPC, and closes on SIGTERM or when the parent goes away. Nothing here measures anything.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { execute, parse, validate, type DocumentNode } from 'graphql';
import type { ReadyMessage } from './bench-process';
import { SUBGRAPHS, subgraphSchema, type SubgraphCaller, type SubgraphName } from './gateway-graph';

// Only types leave this file (imported with `import type`): importing it would start a server.
export const TARGETS = ['apollo-gateway', 'hive', 'hive-no-merge', 'bff-mobile', 'bff-mobile-no-cache', 'bff-mobile-engine', 'bff-web'] as const;
/** A gateway the benchmark measures. */
export type Target = (typeof TARGETS)[number];
/** What a process runs: a subgraph or a target. */
export type Role = `subgraph:${SubgraphName}` | Target;

/** What a process tells the parent once it listens. */
/** What the targets read from the environment. */
function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const supergraph = () => fs.readFileSync(setting('BENCH_SUPERGRAPH_FILE'), 'utf8');
const subgraphUrls = () => JSON.parse(setting('BENCH_SUBGRAPH_URLS')) as Record<SubgraphName, string>;

/** The bearer token's `sub`, read without checking the signature: the gateways in front verify it (the BFFs) or pass it on. */
function callerOf(authorization: string | undefined, seen: Map<string, SubgraphCaller>): SubgraphCaller {
  if (!authorization) return {};
  let caller = seen.get(authorization);
  if (!caller) {
    try {
      const payload = JSON.parse(Buffer.from(authorization.replace(/^Bearer\s+/i, '').split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
      caller = typeof payload.sub === 'string' ? { user: payload.sub } : {};
    } catch {
      caller = {};
    }
    if (seen.size > 10_000) seen.clear();
    seen.set(authorization, caller);
  }
  return caller;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * What each subgraph says of its answers, as Meridian's own subgraphs compute it from their
 * `@cacheControl` hints for the same data (a customer's profile 60 s, accounts and their
 * history 30 s, insights 15 s; all private): the least wins.
 */
const SUBGRAPH_CACHE_CONTROL: Record<SubgraphName, string> = {
  users: 'max-age=60, private',
  accounts: 'max-age=30, private',
  transactions: 'max-age=30, private',
  insights: 'max-age=15, private',
};

/**
 * A subgraph as small as it can be made, so the gateways' work dominates: node:http, each
 * document parsed and validated once, answers per user from the bearer token. `GET /stats`
 * counts the GraphQL requests served; the users subgraph also serves the token keys
 * (`/.well-known/jwks.json`) as identity does.
 */
function subgraphServer(name: SubgraphName): http.Server {
  const schema = subgraphSchema(name);
  const documents = new Map<string, DocumentNode>();
  const callers = new Map<string, SubgraphCaller>();
  const jwks = name === 'users' ? process.env.BENCH_JWKS : undefined;
  const cacheControl = SUBGRAPH_CACHE_CONTROL[name];
  let requests = 0;
  return http.createServer((request, response) => {
    const send = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    if (request.method === 'GET') {
      if (request.url === '/stats') return send(200, JSON.stringify({ requests }));
      if (request.url === '/.well-known/jwks.json' && jwks) return send(200, jwks);
      return send(404, '{}');
    }
    void readBody(request).then(async (text) => {
      requests += 1;
      const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown>; operationName?: string };
      let document = documents.get(body.query);
      if (!document) {
        document = parse(body.query);
        const errors = validate(schema, document);
        if (errors.length) return send(400, JSON.stringify({ errors }));
        documents.set(body.query, document);
      }
      const result = await execute({
        schema,
        document,
        variableValues: body.variables,
        operationName: body.operationName,
        contextValue: callerOf(request.headers.authorization, callers),
      });
      const answer = JSON.stringify(result);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer), 'cache-control': cacheControl });
      response.end(answer);
    }).catch((err: unknown) => send(500, JSON.stringify({ errors: [{ message: (err as Error).message }] })));
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Bare `@apollo/gateway` in Apollo Server's standalone server, passing the caller's Authorization on to every subgraph. */
async function apolloGateway(): Promise<{ port: number; close: () => Promise<void> }> {
  const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  type Context = { authorization?: string };
  class Forwarding extends RemoteGraphQLDataSource<Context> {
    override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>) {
      if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    }
  }
  const server = new ApolloServer<Context>({
    gateway: new ApolloGateway({ supergraphSdl: supergraph(), buildService: ({ url }) => new Forwarding({ url }) }),
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return { port: Number(new URL(url).port), close: () => server.stop() };
}

/**
 * The slice of Hive Gateway's API used here. Its packages are loaded by name at run time, so
 * their type declarations (graphql-yoga's widen graphql's error extensions for every file of
 * the project) stay out of the type check.
 */
interface HiveGatewayModules {
  createGatewayRuntime(config: {
    supergraph: string;
    unifiedGraphHandler: unknown;
    logging: boolean;
    landingPage: boolean;
    propagateHeaders: { fromClientToSubgraphs: (input: { request: Request }) => Record<string, string> };
    transportEntries?: Record<string, { options: Record<string, unknown> }>;
  }): http.RequestListener & { dispose(): Promise<void> | void };
  unifiedGraphHandler: unknown;
}

async function loadHive(): Promise<HiveGatewayModules> {
  const load = (name: string) => import(name) as Promise<Record<string, unknown>>;
  const [runtime, router] = await Promise.all([load('@graphql-hive/gateway-runtime'), load('@graphql-hive/router-runtime')]);
  return { createGatewayRuntime: runtime.createGatewayRuntime, unifiedGraphHandler: router.unifiedGraphHandler } as HiveGatewayModules;
}

/** Hive Gateway's runtime on the Rust query planner, served by node:http; `merge: false` turns its in-flight merging off. */
async function hiveGateway(merge: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const { createGatewayRuntime, unifiedGraphHandler } = await loadHive();
  const gateway = createGatewayRuntime({
    supergraph: supergraph(),
    unifiedGraphHandler,
    logging: false,
    landingPage: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }): Record<string, string> => {
        const authorization = request.headers.get('authorization');
        return authorization ? { authorization } : {};
      },
    },
    ...(merge ? {} : { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } }),
  });
  const server = http.createServer(gateway);
  const port = await listen(server);
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}

/** A Meridian BFF as its main.ts builds it, on the benchmark's supergraph and with the dashboard as its one trusted document. */
async function bff(target: 'bff-mobile' | 'bff-mobile-no-cache' | 'bff-mobile-engine' | 'bff-web'): Promise<{ port: number; close: () => Promise<void> }> {
  const { createTrustedDocumentStore, documentIdOf } = await import('@meridian/bff-core');
  const { listenServer } = await import('@meridian/platform');
  const { DASHBOARD_QUERY } = await import('./gateway-graph');
  const deps = {
    supergraphSdl: supergraph(),
    subgraphUrls: subgraphUrls(),
    trustedDocuments: createTrustedDocumentStore({ [documentIdOf(DASHBOARD_QUERY)]: DASHBOARD_QUERY }),
  };
  let server;
  if (target !== 'bff-web') {
    const { createMobileBffServer, loadMobileBffConfig } = await import('@meridian/bff-mobile');
    server = await createMobileBffServer(loadMobileBffConfig(), deps);
  } else {
    const { createWebBffServer, loadWebBffConfig } = await import('@meridian/bff-web');
    server = await createWebBffServer(loadWebBffConfig(), deps);
  }
  await listenServer(server, { host: '127.0.0.1', port: 0, metricsPort: 0 });
  const built = server;
  return { port: (built.app.server.address() as AddressInfo).port, close: () => built.close() };
}

async function start(role: Role): Promise<{ port: number; close: () => Promise<void> }> {
  if (role.startsWith('subgraph:')) {
    const name = role.slice('subgraph:'.length) as SubgraphName;
    if (!SUBGRAPHS.includes(name)) throw new Error(`no subgraph ${name}`);
    const server = subgraphServer(name);
    server.keepAliveTimeout = 60_000;
    const port = await listen(server);
    return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }
  switch (role as Target) {
    case 'apollo-gateway':
      return apolloGateway();
    case 'hive':
      return hiveGateway(true);
    case 'hive-no-merge':
      return hiveGateway(false);
    case 'bff-mobile':
    case 'bff-mobile-no-cache':
    case 'bff-mobile-engine':
    case 'bff-web':
      return bff(role as 'bff-mobile' | 'bff-mobile-no-cache' | 'bff-mobile-engine' | 'bff-web');
  }
  throw new Error(`usage: gateway-server.ts <subgraph:${SUBGRAPHS.join('|subgraph:')}|${TARGETS.join('|')}>`);
}

async function main(): Promise<void> {
  const role = process.argv[2] as Role;
  if (!process.send) throw new Error('gateway-server.ts runs as a child of bench/gateway.ts (it reports over IPC)');
  const { port, close } = await start(role);
  let closing: Promise<void> | undefined;
  const stop = () =>
    (closing ??= (async () => {
      await close().catch(() => undefined);
      process.exit(0);
    })());
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  const ready: ReadyMessage = { type: 'ready', role, port };
  process.send(ready);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
