import path from 'node:path';
import ts from 'typescript';
import { ErrorCode } from '@meridian/platform';
import { API_ERROR_CODES, createMeridianClient, documentIdOf, isMeridianError, MeridianError, newIdempotencyKey } from '../src';
import { AccountsDocument, MeDocument } from '../src/mobile';
import * as web from '../src/web';

interface Sent {
  url: string;
  init: RequestInit;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** A fetch that records what it was given and answers with `reply`. */
function fakeFetch(reply: () => Response) {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, init, body: JSON.parse(String(init.body)), headers: init.headers as Record<string, string> });
    return reply();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/graphql-response+json', ...headers } });

const URL = 'http://127.0.0.1:4001/graphql';

/** The MeridianError a request rejects with. */
async function failure(request: Promise<unknown>): Promise<MeridianError> {
  const error = await request.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof MeridianError)) throw new Error(`expected a MeridianError, got ${String(error)}`);
  return error;
}

describe('mobile client', () => {
  it('sends only the documentId and variables, with a bearer token, the device id and no cookies', async () => {
    const { fetch, sent } = fakeFetch(() => json({ data: { me: { id: 'u1' } } }));
    const client = createMeridianClient({ url: URL, client: 'mobile', fetch, getAccessToken: async () => 'at-123', deviceId: 'device-1' });
    const data = await client.request(MeDocument);
    expect(data.me?.id).toBe('u1');
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe(URL);
    expect(sent[0].body).toEqual({ documentId: documentIdOf(MeDocument) });
    expect(sent[0].body.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sent[0].init).toMatchObject({ method: 'POST', credentials: 'omit' });
    expect(sent[0].headers).toEqual({
      accept: 'application/graphql-response+json, application/json',
      'content-type': 'application/json',
      authorization: 'Bearer at-123',
      'x-device-id': 'device-1',
    });
  });

  it('sends no Authorization when signed out, and variables as given', async () => {
    const { fetch, sent } = fakeFetch(() => json({ data: { me: null } }));
    const client = createMeridianClient({ url: URL, client: 'mobile', fetch, getAccessToken: () => null });
    await client.request(AccountsDocument, { includeClosed: true });
    expect(sent[0].headers.authorization).toBeUndefined();
    expect(sent[0].body).toEqual({ documentId: documentIdOf(AccountsDocument), variables: { includeClosed: true } });
  });

  it('refuses a web document, which has no place in the app', async () => {
    const { fetch } = fakeFetch(() => json({ data: {} }));
    const client = createMeridianClient({ url: URL, client: 'mobile', fetch });
    // A web document does carry a hash, but of the web manifest; a plain object carries none.
    await expect(client.request({} as typeof MeDocument)).rejects.toThrow(/trusted-document hash/);
  });
});

describe('idempotency keys', () => {
  it('sends the idempotencyKey option as the Idempotency-Key header, the same key on a retry of the same intent', async () => {
    const { fetch, sent } = fakeFetch(() => json({ data: { me: { id: 'u1' } } }));
    const client = createMeridianClient({ url: URL, client: 'mobile', fetch, getAccessToken: () => 'at-1' });
    const idempotencyKey = newIdempotencyKey();
    await client.request(MeDocument, undefined, { idempotencyKey });
    // The app retries the same intent (say, after a timeout) with the key it made for it.
    await client.request(MeDocument, undefined, { idempotencyKey });
    await client.request(MeDocument);
    expect(sent.map((s) => s.headers['idempotency-key'])).toEqual([idempotencyKey, idempotencyKey, undefined]);
    expect(sent[0].body).toEqual({ documentId: documentIdOf(MeDocument) });
  });

  it('sends one key only: the option wins over an Idempotency-Key among the headers, on the web too', async () => {
    const { fetch, sent } = fakeFetch(() => json({ data: { me: { id: 'u2' } } }));
    const client = createMeridianClient({ url: 'https://app.example/graphql', client: 'web', fetch, headers: () => ({ 'Idempotency-Key': 'from-defaults' }) });
    await client.request(web.MeDocument, undefined, { idempotencyKey: 'pay-intent-1', headers: { 'IDEMPOTENCY-KEY': 'from-request' } });
    expect(sent[0].headers).toEqual({
      accept: 'application/graphql-response+json, application/json',
      'content-type': 'application/json',
      'idempotency-key': 'pay-intent-1',
    });
    expect(sent[0].init.credentials).toBe('include');
  });
});

describe('web client', () => {
  it('sends the document id with the session cookie and never a token or query text', async () => {
    const { fetch, sent } = fakeFetch(() => json({ data: { me: { id: 'u2' } } }));
    const client = createMeridianClient({ url: 'https://app.example/graphql', client: 'web', fetch, headers: () => ({ 'x-csrf-token': 'c' }) });
    await client.request(web.MeDocument);
    expect(sent[0].body).toEqual({ documentId: documentIdOf(web.MeDocument) });
    expect(sent[0].init.credentials).toBe('include');
    expect(sent[0].headers).toEqual({
      accept: 'application/graphql-response+json, application/json',
      'content-type': 'application/json',
      'x-csrf-token': 'c',
    });
  });

  it('will not take a token or a device id', () => {
    expect(() => createMeridianClient({ url: URL, client: 'web', getAccessToken: () => 't' })).toThrow(/HttpOnly cookie/);
  });

  it('refuses a mobile document, which carries no text', async () => {
    const { fetch } = fakeFetch(() => json({ data: {} }));
    const client = createMeridianClient({ url: URL, client: 'web', fetch });
    await expect(client.request(MeDocument as unknown as typeof web.MeDocument)).rejects.toThrow(/no query text/);
  });
});

describe('errors', () => {
  const client = (reply: () => Response) => createMeridianClient({ url: URL, client: 'mobile', fetch: fakeFetch(reply).fetch });

  it('carries extensions.code, the HTTP status, every error, partial data and the request id', async () => {
    const errors = [
      { message: 'Not enough money.', path: ['transferBetweenOwnAccounts'], extensions: { code: 'INSUFFICIENT_FUNDS' } },
      { message: 'Second.', extensions: { code: 'NOT_FOUND' } },
    ];
    const error = await failure(client(() => json({ data: null, errors }, 200, { 'x-request-id': 'req-9' })).request(MeDocument));
    expect(isMeridianError(error, 'INSUFFICIENT_FUNDS')).toBe(true);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', message: 'Not enough money.', status: 200, errors, requestId: 'req-9' });
  });

  it('gives retryAfter for RATE_LIMITED from extensions, else from Retry-After', async () => {
    const limited = (extensions: Record<string, unknown>, headers: Record<string, string>) =>
      failure(client(() => json({ errors: [{ message: 'Slow down.', extensions: { code: 'RATE_LIMITED', ...extensions } }] }, 429, headers)).request(MeDocument));
    expect(await limited({ retryAfter: 17 }, { 'retry-after': '99' })).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfter: 17 });
    expect(await limited({}, { 'retry-after': '42' })).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 42 });
  });

  it('reads a code outside the catalogue as INTERNAL_SERVER_ERROR, keeping the raw one in errors', async () => {
    const error = await failure(client(() => json({ errors: [{ message: 'x', extensions: { code: 'SOMETHING_NEW' } }] })).request(MeDocument));
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.errors[0].extensions?.code).toBe('SOMETHING_NEW');
  });

  it('is BAD_RESPONSE for an answer that is not GraphQL and NETWORK_ERROR for no answer', async () => {
    const html = await failure(
      client(() => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })).request(MeDocument),
    );
    expect(html).toMatchObject({ code: 'BAD_RESPONSE', status: 502 });
    const offline = createMeridianClient({
      url: URL,
      client: 'mobile',
      fetch: (async () => {
        throw new TypeError('Network request failed');
      }) as unknown as typeof fetch,
    });
    const error = await failure(offline.request(MeDocument));
    expect(error.code).toBe('NETWORK_ERROR');
    expect((error.cause as Error).message).toBe('Network request failed');
  });

  it("knows exactly the platform's error catalogue", () => {
    expect([...API_ERROR_CODES].sort()).toEqual(Object.values(ErrorCode).sort());
  });
});

describe('types', () => {
  /** Type-checks `code` as an app would write it (in this folder, with the repository's settings) and returns its errors by line. */
  function typeErrors(code: string): { line: number; message: string }[] {
    const file = path.join(__dirname, 'app-snippet.ts');
    const { config } = ts.readConfigFile(path.resolve(__dirname, '../../../tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.resolve(__dirname, '../../..'));
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (name) => (path.resolve(name) === file ? code : readFile(name));
    host.fileExists = (name) => path.resolve(name) === file || ts.sys.fileExists(name);
    host.getSourceFile = (name, language) =>
      path.resolve(name) === file ? ts.createSourceFile(name, code, language, true) : getSourceFile(name, language);
    const program = ts.createProgram([file], { ...options, noEmit: true, types: [] }, host);
    return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ({
      line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
    }));
  }

  it('require variables exactly when the operation has required ones, and of the right types', () => {
    const errors = typeErrors(
      [
        "import { createMeridianClient } from '@meridian/client';",
        "import { AccountsDocument, LoginDocument } from '@meridian/client/mobile';",
        "const api = createMeridianClient({ url: 'https://api.example', client: 'mobile' });",
        "void api.request(LoginDocument, { input: { email: 'a@example.com', password: 'p' } });",
        'void api.request(AccountsDocument);',
        'void api.request(LoginDocument);',
        "void api.request(AccountsDocument, { includeClosed: 'yes' });",
      ].join('\n'),
    );
    // Lines 4 and 5 are right; 6 misses Login's input, 7 gives a string for a Boolean.
    expect(errors.map((e) => e.line)).toEqual([6, 7]);
    expect(errors[1].message).toMatch(/string.*boolean/i);
  }, 60_000);
});

describe('newIdempotencyKey', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('makes distinct version 4 UUIDs', () => {
    const keys = new Set(Array.from({ length: 1_000 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(1_000);
    for (const key of keys) expect(key).toMatch(UUID_V4);
  });

  it('falls back to getRandomValues where randomUUID is missing, and says what to install where both are', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    try {
      const { getRandomValues } = globalThis.crypto;
      Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues: getRandomValues.bind(globalThis.crypto) }, configurable: true });
      expect(newIdempotencyKey()).toMatch(UUID_V4);
      Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true });
      expect(() => newIdempotencyKey()).toThrow(/react-native-get-random-values/);
    } finally {
      Object.defineProperty(globalThis, 'crypto', original);
    }
  });
});
