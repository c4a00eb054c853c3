import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import {
  createEnvelope,
  createFileObjectStore,
  createLogger,
  createMasterKeyRing,
  createMemoryRateLimiter,
  errors,
  loadConfig,
  type AccessTokenClaims,
  type MeridianServer,
  type ObjectStore,
  uploadKey,
} from '@meridian/platform';
import { createCapturingLogger, startFakeSupergraph, type FakeSubgraph, type TestServiceKeys } from '@meridian/supergraph/testing';
import { bffConfigSchema, createBffServer, createUploadSweeper, registerUploads } from '../src';

// POST /uploads on the BFFs: signed-in users only, type by content (JPEG, PNG, PDF), 10 MB,
// streamed into the encrypted object store, nothing kept of a refusal.

// A real 1×1 PNG, then more bytes, as a photo has.
const PNG = Buffer.concat([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'), randomBytes(2_000)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), randomBytes(2_000), Buffer.from('ffd9', 'hex')]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), randomBytes(1_000), Buffer.from('\n%%EOF\n')]);
const EXE = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), randomBytes(5_000)]);

/** A multipart/form-data body with one file part. */
function multipartBody(file: Buffer, filename: string, contentType: string) {
  const boundary = `----meridian${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function fakeVerify(token: string): Promise<AccessTokenClaims> {
  const [, id] = token.split('-');
  if (!id) throw errors.unauthenticated();
  return { userId: id, sessionId: 's', roles: ['CUSTOMER'], scopes: [], tokenId: 't', expiresAt: new Date(Date.now() + 60_000), amr: ['pwd'], authTime: new Date() };
}

/** Every file under `dir`. */
const filesIn = (dir: string) =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;
let server: MeridianServer;
let store: ObjectStore;
let dir: string;
beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-uploads-'));
  store = createFileObjectStore({ dir, envelope: createEnvelope(createMasterKeyRing([{ kid: 'mk-test', key: randomBytes(32) }])) });
  server = await createBffServer({
    name: 'bff-test',
    config: loadConfig(bffConfigSchema, { ...process.env }),
    limits: { maxDepth: 10, maxAliases: 10, maxDirectives: 10, maxTokens: 1_000, maxRootFields: 10, maxCost: 1_000, defaultListSize: 10 },
    deps: { logger: createCapturingLogger().logger, supergraphSdl, issueServiceToken: keys.issuerFor('bff-test'), verifyAccessToken: fakeVerify, objectStore: store },
  });
});
afterAll(async () => {
  await server.close();
  await subgraph.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /uploads', () => {
  it.each([
    ['a PNG', PNG, 'image/png'],
    ['a JPEG', JPEG, 'image/jpeg'],
    ['a PDF', PDF, 'application/pdf'],
  ])('takes %s, stores it encrypted as the user’s and answers an upload id', async (_name, file, type) => {
    const res = await server.app.inject({ method: 'POST', url: '/uploads', ...withToken(multipartBody(file, 'scan', 'application/octet-stream')) });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ uploadId: expect.any(String), contentType: type, size: file.length, expiresAt: expect.any(String) });
    const stored = await store.get(uploadKey(body.uploadId));
    expect(stored!.meta).toMatchObject({ ownerId: 'ada', contentType: type, size: file.length });
    const chunks: Buffer[] = [];
    for await (const chunk of stored!.body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).equals(file)).toBe(true);
    for (const f of filesIn(dir)) expect(fs.readFileSync(f).includes(file.subarray(0, 64))).toBe(false);
  });

  it('refuses a program renamed and declared as a JPEG, keeping nothing', async () => {
    const before = filesIn(dir).length;
    const res = await server.app.inject({ method: 'POST', url: '/uploads', ...withToken(multipartBody(EXE, 'passport.jpg', 'image/jpeg')) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', reason: 'UNSUPPORTED_TYPE' });
    expect(filesIn(dir).length).toBe(before);
  });

  it('refuses a 20 MB file with 413 REQUEST_TOO_LARGE, keeping nothing', async () => {
    const before = filesIn(dir).length;
    const big = Buffer.concat([PNG, Buffer.alloc(20 * 1024 * 1024, 7)]);
    const res = await server.app.inject({ method: 'POST', url: '/uploads', ...withToken(multipartBody(big, 'huge.png', 'image/png')) });
    expect(res.statusCode).toBe(413);
    expect(res.json().errors[0].extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', field: 'file' });
    expect(filesIn(dir).length).toBe(before);
  });

  it('needs a signed-in user and a multipart body', async () => {
    const anonymous = await server.app.inject({ method: 'POST', url: '/uploads', ...multipartBody(PNG, 'a.png', 'image/png') });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const forged = await server.app.inject({ method: 'POST', url: '/uploads', ...withToken(multipartBody(PNG, 'a.png', 'image/png'), 'nonsense') });
    expect(forged.statusCode).toBe(401);
    const json = await server.app.inject({ method: 'POST', url: '/uploads', headers: { authorization: 'Bearer user-ada', 'content-type': 'application/json' }, payload: { file: 'x' } });
    expect(json.statusCode).toBe(400);
    expect(json.json().errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('limits uploads per user per hour, with Retry-After', async () => {
    const app = Fastify();
    const limited = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-uploads-limit-'));
    await registerUploads(app, {
      store: createFileObjectStore({ dir: limited, envelope: createEnvelope(createMasterKeyRing([{ kid: 'mk', key: randomBytes(32) }])) }),
      userOf: async () => 'bo',
      limiter: createMemoryRateLimiter(),
      logger: createLogger({ service: 'test', level: 'silent', pretty: false }),
      perHour: 2,
    });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'POST', url: '/uploads', ...multipartBody(PNG, 'a.png', 'image/png') })).statusCode);
    expect(codes).toEqual([201, 201, 429]);
    const refused = await app.inject({ method: 'POST', url: '/uploads', ...multipartBody(PNG, 'a.png', 'image/png') });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().errors[0].extensions.code).toBe('RATE_LIMITED');
    await app.close();
    fs.rmSync(limited, { recursive: true, force: true });
  });
});

function withToken(request: { payload: Buffer; headers: Record<string, string> }, token = 'user-ada') {
  return { payload: request.payload, headers: { ...request.headers, authorization: `Bearer ${token}` } };
}

describe('upload sweeper', () => {
  it('deletes uploads past their expiry and keeps the rest and other objects', async () => {
    const put = (key: string, expiresAt?: string) =>
      store.put(key, Readable.from([PNG]), { contentType: 'image/png', ownerId: 'u', ...(expiresAt ? { labels: { expiresAt } } : {}) });
    await put('uploads/sweep-old', new Date(Date.now() - 1_000).toISOString());
    await put('uploads/sweep-fresh', new Date(Date.now() + 60_000).toISOString());
    await put('uploads/sweep-unlabelled');
    await put('kyc/documents/sweep-kept');
    const sweeper = createUploadSweeper({ store, logger: createCapturingLogger().logger });
    expect(await sweeper.runOnce()).toBeGreaterThanOrEqual(2);
    expect(await store.head('uploads/sweep-old')).toBeNull();
    expect(await store.head('uploads/sweep-unlabelled')).toBeNull();
    expect(await store.head('uploads/sweep-fresh')).not.toBeNull();
    expect(await store.head('kyc/documents/sweep-kept')).not.toBeNull();
  });
});
