import { createTrustedDocumentStore, documentIdOf } from '@meridian/bff-core';
import { ErrorCode } from '@meridian/platform';
import {
  createCapturingLogger,
  type FakeSubgraph,
  startFakeSupergraph,
  type TestServiceKeys,
} from '@meridian/supergraph/testing';
import { createMobileBffServer, loadMobileBffConfig, trustedDocumentsMode } from '../src';

// A manifest for the fake subgraph's schema, keyed as codegen writes it (hex, no prefix).
const ECHO = 'query Echo { echo { authorization requestId } }';
const NODE = 'query Node { node { id } }';
const PING = 'mutation Ping { ping }';
const manifest = Object.fromEntries([ECHO, NODE, PING].map((text) => [documentIdOf(text).slice('sha256:'.length), text]));
const ECHO_ID = documentIdOf(ECHO);
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;

beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(async () => {
  await subgraph.close();
});

async function withMobileBff(env: Record<string, string>, run: (server: Awaited<ReturnType<typeof createMobileBffServer>>) => Promise<void>) {
  const config = loadMobileBffConfig({ ...process.env, ...env });
  const server = await createMobileBffServer(config, {
    logger: createCapturingLogger().logger,
    supergraphSdl,
    issueServiceToken: keys.issuerFor('bff-mobile'),
    trustedDocuments: createTrustedDocumentStore(manifest),
  });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

const required = { MOBILE_TRUSTED_DOCUMENTS: 'required' };

describe('trusted documents mode', () => {
  it('is required in production and optional elsewhere unless MOBILE_TRUSTED_DOCUMENTS says otherwise', () => {
    expect(trustedDocumentsMode(loadMobileBffConfig({ NODE_ENV: 'production' }))).toBe('required');
    expect(trustedDocumentsMode(loadMobileBffConfig({ NODE_ENV: 'development' }))).toBe('optional');
    expect(trustedDocumentsMode(loadMobileBffConfig({ NODE_ENV: 'test' }))).toBe('optional');
    expect(trustedDocumentsMode(loadMobileBffConfig({ NODE_ENV: 'production', MOBILE_TRUSTED_DOCUMENTS: 'optional' }))).toBe('optional');
    expect(trustedDocumentsMode(loadMobileBffConfig({ NODE_ENV: 'development', MOBILE_TRUSTED_DOCUMENTS: 'required' }))).toBe('required');
    expect(() => loadMobileBffConfig({ MOBILE_TRUSTED_DOCUMENTS: 'sometimes' })).toThrow(/MOBILE_TRUSTED_DOCUMENTS/);
  });
});

describe('mobile BFF with trusted documents required', () => {
  it('runs a manifest document by documentId over POST, with variables and operationName', async () => {
    await withMobileBff(required, async (server) => {
      const res = await server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { authorization: 'Bearer t0ken', 'x-request-id': 'req-trusted-1' },
        payload: { documentId: ECHO_ID, operationName: 'Echo', variables: {} },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ data: { echo: { authorization: 'Bearer t0ken', requestId: 'req-trusted-1' } } });
    });
  });

  it('refuses an unknown documentId with PERSISTED_QUERY_NOT_FOUND (400) before any subgraph call', async () => {
    await withMobileBff(required, async (server) => {
      const before = subgraph.requests.length;
      const res = await server.app.inject({ method: 'POST', url: '/graphql', payload: { documentId: UNKNOWN_ID } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND } }] });
      expect(subgraph.requests.length).toBe(before);
    });
  });

  it.each([
    ['a bare hash', ECHO_ID.slice('sha256:'.length)],
    ['another algorithm', `sha1:${'a'.repeat(40)}`],
    ['a short hash', 'sha256:abc'],
    ['a number', 42],
  ])('refuses a malformed documentId (%s) with BAD_USER_INPUT', async (_name, documentId) => {
    await withMobileBff(required, async (server) => {
      const res = await server.app.inject({ method: 'POST', url: '/graphql', payload: { documentId } });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ message: expect.stringContaining('sha256:'), extensions: { code: ErrorCode.BAD_USER_INPUT } });
    });
  });

  it('refuses a documentId sent with a different query, and accepts the identical text', async () => {
    await withMobileBff(required, async (server) => {
      const other = await server.app.inject({ method: 'POST', url: '/graphql', payload: { documentId: ECHO_ID, query: '{ boom }' } });
      expect(other.statusCode).toBe(400);
      expect(other.json().errors[0]).toMatchObject({ message: expect.stringContaining('not both'), extensions: { code: ErrorCode.BAD_USER_INPUT } });
      const same = await server.app.inject({ method: 'POST', url: '/graphql', payload: { documentId: ECHO_ID, query: ECHO } });
      expect(same.statusCode).toBe(200);
      expect(same.json().data.echo).toBeDefined();
    });
  });

  it('refuses free text, introspection included, with PERSISTED_QUERY_ID_REQUIRED before it is parsed', async () => {
    await withMobileBff(required, async (server) => {
      const before = subgraph.requests.length;
      for (const query of ['{ echo { requestId } }', '{ __schema { types { name } } }', '{ this is not even graphql']) {
        const res = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
        expect(res.statusCode).toBe(400);
        expect(res.json().errors).toEqual([{ message: expect.stringContaining('documentId'), extensions: { code: ErrorCode.PERSISTED_QUERY_ID_REQUIRED } }]);
      }
      const apq = await server.app.inject({
        method: 'POST',
        url: '/graphql',
        payload: { extensions: { persistedQuery: { version: 1, sha256Hash: ECHO_ID.slice(7) } } },
      });
      expect(apq.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_ID_REQUIRED);
      const get = await server.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ echo { requestId } }')}` });
      expect(get.statusCode).toBe(400);
      expect(get.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_ID_REQUIRED);
      expect(subgraph.requests.length).toBe(before);
    });
  });

  it('runs a query by documentId over GET and refuses a mutation over GET with 405', async () => {
    await withMobileBff(required, async (server) => {
      const variables = encodeURIComponent('{}');
      const res = await server.app.inject({
        method: 'GET',
        url: `/graphql?documentId=${encodeURIComponent(ECHO_ID)}&variables=${variables}`,
        headers: { 'apollo-require-preflight': 'true', 'x-request-id': 'req-trusted-get' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.echo.requestId).toBe('req-trusted-get');

      const mutation = await server.app.inject({
        method: 'GET',
        url: `/graphql?documentId=${encodeURIComponent(documentIdOf(PING))}`,
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(mutation.statusCode).toBe(405);
      expect(mutation.headers.allow).toBe('POST');
      expect(mutation.json().errors[0]).toMatchObject({ message: expect.stringContaining('POST'), extensions: { code: ErrorCode.BAD_USER_INPUT } });

      const unknown = await server.app.inject({ method: 'GET', url: `/graphql?documentId=${encodeURIComponent(UNKNOWN_ID)}` });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_NOT_FOUND);
    });
  });

  it('refuses a body over MOBILE_MAX_BODY_BYTES with REQUEST_TOO_LARGE (413), and bad JSON with BAD_USER_INPUT', async () => {
    const body = { documentId: ECHO_ID, variables: { padding: 'x'.repeat(4096) } };
    await withMobileBff({ ...required, MOBILE_MAX_BODY_BYTES: '2048' }, async (server) => {
      const huge = await server.app.inject({ method: 'POST', url: '/graphql', payload: body });
      expect(huge.statusCode).toBe(413);
      expect(huge.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: ErrorCode.REQUEST_TOO_LARGE } }] });

      const garbled = await server.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{"documentId": ' });
      expect(garbled.statusCode).toBe(400);
      expect(garbled.json().errors[0].extensions.code).toBe(ErrorCode.BAD_USER_INPUT);
    });
    // The same body fits the default limit of 32 KiB.
    await withMobileBff(required, async (server) => {
      expect((await server.app.inject({ method: 'POST', url: '/graphql', payload: body })).statusCode).toBe(200);
    });
  });

  it('keeps the URL the client sent in the request log of a GET', async () => {
    const { logger, lines } = createCapturingLogger('info');
    const config = loadMobileBffConfig({ ...process.env, ...required });
    const server = await createMobileBffServer(config, {
      logger,
      supergraphSdl,
      issueServiceToken: keys.issuerFor('bff-mobile'),
      trustedDocuments: createTrustedDocumentStore(manifest),
    });
    try {
      const url = `/graphql?documentId=${encodeURIComponent(ECHO_ID)}`;
      await server.app.inject({ method: 'GET', url, headers: { 'apollo-require-preflight': 'true' } });
      const completed = lines.find((line) => line.msg === 'request completed');
      expect(completed?.url).toBe(url);
    } finally {
      await server.close();
    }
  });
});

describe('mobile BFF with trusted documents optional (development, tests)', () => {
  it('runs free text and documentIds alike', async () => {
    await withMobileBff({ NODE_ENV: 'development' }, async (server) => {
      const text = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ node { id } }' } });
      expect(text.statusCode).toBe(200);
      expect(text.json().errors).toBeUndefined();
      const byId = await server.app.inject({ method: 'POST', url: '/graphql', payload: { documentId: documentIdOf(NODE) } });
      expect(byId.statusCode).toBe(200);
      expect(byId.json().errors).toBeUndefined();
      const unknown = await server.app.inject({ method: 'POST', url: '/graphql', payload: { documentId: UNKNOWN_ID } });
      expect(unknown.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_NOT_FOUND);
    });
  });

  it('still refuses introspection in production when free text is allowed there', async () => {
    await withMobileBff({ NODE_ENV: 'production', MOBILE_TRUSTED_DOCUMENTS: 'optional' }, async (server) => {
      const res = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ __schema { types { name } } }' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ message: 'Introspection is disabled.', extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } });
    });
  });
});
