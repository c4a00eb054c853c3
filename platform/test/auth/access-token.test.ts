import { createHmac, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, SignJWT, type JWTPayload } from 'jose';
import {
  createAccessTokenVerifier,
  createKeySet,
  createMemorySessionRevocations,
  DomainError,
  generatePrivateJwk,
  issueAccessToken,
  loadKeySet,
  remoteKeyResolver,
  type AccessTokenVerifier,
  type KeySet,
  type TokenAudience,
} from '@meridian/platform';

const aud: TokenAudience = { issuer: 'https://identity.test', audience: 'meridian-api' };
const user = { userId: 'user-1', sessionId: 'sess-1', roles: ['CUSTOMER' as const], scopes: ['profile', 'payments:read'] };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const part = (token: string, index: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString());
const nowSeconds = () => Math.floor(Date.now() / 1000);

function verifierFor(keys: KeySet, options: { clockToleranceSeconds?: number } = {}): AccessTokenVerifier {
  return createAccessTokenVerifier({ ...aud, keys: createLocalJWKSet(keys.jwks()), revocations: createMemorySessionRevocations(), ...options });
}

/** Signs `payload` with the key set's active key, with the header and claims chosen by the test. */
function sign(keys: KeySet, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: keys.active.kid, typ: 'at+jwt', ...header })
    .sign(keys.active.privateKey);
}

/** A complete, valid claim set; tests remove or change one thing. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  const iat = nowSeconds();
  return {
    iss: aud.issuer,
    aud: aud.audience,
    sub: user.userId,
    sid: user.sessionId,
    scope: 'profile',
    roles: ['CUSTOMER'],
    jti: 'jti-1',
    iat,
    exp: iat + 600,
    ...overrides,
  };
}

async function expectUnauthenticated(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the token to be refused, but it verified');
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('UNAUTHENTICATED');
  expect((error as DomainError).extensions.code).toBe('UNAUTHENTICATED');
  return error as DomainError;
}

let keys: KeySet;
let verify: AccessTokenVerifier;
let genuine: string;

beforeAll(async () => {
  keys = await createKeySet([await generatePrivateJwk()]);
  verify = verifierFor(keys);
  genuine = (await issueAccessToken(keys, aud, { ...user, ttlSeconds: 600 })).token;
});

describe('issueAccessToken and the verifier', () => {
  it('issues a token that verifies with the claims it was given', async () => {
    const issued = await issueAccessToken(keys, aud, { ...user, ttlSeconds: 600 });
    const verified = await verify(issued.token);
    expect(verified).toEqual({
      userId: 'user-1',
      sessionId: 'sess-1',
      roles: ['CUSTOMER'],
      scopes: ['profile', 'payments:read'],
      tokenId: expect.any(String),
      expiresAt: issued.expiresAt,
      amr: ['pwd'],
      authTime: expect.any(Date),
    });
    expect(verified.expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);
    expect(Math.abs(verified.authTime.getTime() - Date.now())).toBeLessThan(2_000);
  });

  it('carries amr and auth_time as given, and reads a token without them as a password sign-in at iat', async () => {
    const authTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000);
    const stepped = await verify((await issueAccessToken(keys, aud, { ...user, ttlSeconds: 600, amr: ['pwd', 'otp', 'mfa'], authTime })).token);
    expect(stepped).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], authTime });
    expect(part((await issueAccessToken(keys, aud, { ...user, ttlSeconds: 600, amr: ['pwd', 'mfa'], authTime })).token, 1)).toMatchObject({
      amr: ['pwd', 'mfa'],
      auth_time: authTime.getTime() / 1000,
    });
    const iat = Math.floor(Date.now() / 1000) - 30;
    const old = await new SignJWT({ scope: 'profile', roles: ['CUSTOMER'], sid: 'sess-1' })
      .setProtectedHeader({ alg: 'ES256', kid: keys.active.kid, typ: 'at+jwt' })
      .setIssuer(aud.issuer)
      .setAudience(aud.audience)
      .setSubject('user-1')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .setJti('old-token')
      .sign(keys.active.privateKey);
    expect(await verify(old)).toMatchObject({ amr: ['pwd'], authTime: new Date(iat * 1000) });
  });

  it('signs with ES256, the active kid and the at+jwt type', () => {
    expect(part(genuine, 0)).toEqual({ alg: 'ES256', kid: keys.active.kid, typ: 'at+jwt' });
    expect(part(genuine, 1)).toMatchObject({ iss: aud.issuer, aud: aud.audience, sub: 'user-1', sid: 'sess-1' });
  });

  it('gives every token its own id', async () => {
    const other = (await issueAccessToken(keys, aud, { ...user, ttlSeconds: 600 })).token;
    expect((await verify(other)).tokenId).not.toBe((await verify(genuine)).tokenId);
  });

  it('drops roles it does not know', async () => {
    const token = await sign(keys, claims({ roles: ['ADMIN', 'SUPERUSER', 42] }));
    expect((await verify(token)).roles).toEqual(['ADMIN']);
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    const token = await sign(keys, claims({ iat: nowSeconds() - 100, exp: nowSeconds() - 10 }));
    await expect(verifierFor(keys, { clockToleranceSeconds: 60 })(token)).resolves.toMatchObject({ userId: 'user-1' });
  });
});

describe('when identity\'s keys cannot be fetched', () => {
  // The token may be perfectly good: the client must hear "try again", not "sign in again".
  async function refusal(jwksUrl: string): Promise<DomainError> {
    const remote = createAccessTokenVerifier({ ...aud, keys: remoteKeyResolver(jwksUrl), revocations: createMemorySessionRevocations() });
    const error = await remote(genuine).then(
      () => {
        throw new Error('expected the token to be refused, but it verified');
      },
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }

  it('answers SERVICE_UNAVAILABLE when nothing listens at the JWKS address', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await refusal(`http://127.0.0.1:${port}/.well-known/jwks.json`)).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('answers SERVICE_UNAVAILABLE when the JWKS endpoint fails, and UNAUTHENTICATED when it answers without the key', async () => {
    let status = 503;
    const server = http.createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    try {
      expect((await refusal(url)).code).toBe('SERVICE_UNAVAILABLE');
      status = 200;
      expect((await refusal(url)).code).toBe('UNAUTHENTICATED');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the verifier refuses with UNAUTHENTICATED', () => {
  it('an expired token, beyond the clock tolerance, and says it expired', async () => {
    const token = await sign(keys, claims({ iat: nowSeconds() - 720, exp: nowSeconds() - 120 }));
    const error = await expectUnauthenticated(verify(token));
    expect(error.message).toMatch(/expired/);
  });

  it('an unsigned token (alg: none)', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt', kid: keys.active.kid })}.${b64(part(genuine, 1))}.`;
    await expectUnauthenticated(verify(token));
  });

  it('HS256 keyed with the public key PEM (key confusion)', async () => {
    const pem = createPublicKey({ key: keys.active.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const signingInput = `${b64({ ...part(genuine, 0), alg: 'HS256' })}.${b64(part(genuine, 1))}`;
    const signature = createHmac('sha256', pem).update(signingInput).digest('base64url');
    await expectUnauthenticated(verify(`${signingInput}.${signature}`));
  });

  it('HS256 keyed with the public JWK JSON (key confusion)', async () => {
    const signingInput = `${b64({ ...part(genuine, 0), alg: 'HS256' })}.${b64(part(genuine, 1))}`;
    const signature = createHmac('sha256', JSON.stringify(keys.active.publicJwk)).update(signingInput).digest('base64url');
    await expectUnauthenticated(verify(`${signingInput}.${signature}`));
  });

  it('a token signed by a key that is not in the set (unknown kid)', async () => {
    const stranger = await createKeySet([await generatePrivateJwk()]);
    const token = (await issueAccessToken(stranger, aud, { ...user, ttlSeconds: 600 })).token;
    await expectUnauthenticated(verify(token));
  });

  it('a token signed by another key under a kid that is in the set', async () => {
    const stranger = await createKeySet([{ ...(await generatePrivateJwk()), kid: keys.active.kid }]);
    const token = (await issueAccessToken(stranger, aud, { ...user, ttlSeconds: 600 })).token;
    expect(part(token, 0).kid).toBe(keys.active.kid);
    await expectUnauthenticated(verify(token));
  });

  it('a token from another issuer', async () => {
    const token = (await issueAccessToken(keys, { ...aud, issuer: 'https://evil.example' }, { ...user, ttlSeconds: 600 })).token;
    await expectUnauthenticated(verify(token));
  });

  it('a token for another audience', async () => {
    const token = (await issueAccessToken(keys, { ...aud, audience: 'other-api' }, { ...user, ttlSeconds: 600 })).token;
    await expectUnauthenticated(verify(token));
  });

  it('a tampered payload that keeps the original signature', async () => {
    const [header, , signature] = genuine.split('.');
    const forged = `${header}.${b64({ ...part(genuine, 1), sub: 'someone-else', roles: ['ADMIN'] })}.${signature}`;
    await expectUnauthenticated(verify(forged));
  });

  it.each([['JWT'], ['service+jwt'], [undefined]])('a token whose typ is %s', async (typ) => {
    await expectUnauthenticated(verify(await sign(keys, claims(), { typ })));
  });

  it.each(['sub', 'exp', 'iat', 'jti', 'scope', 'sid'])('a token without the %s claim', async (claim) => {
    const payload = claims();
    delete payload[claim];
    await expectUnauthenticated(verify(await sign(keys, payload)));
  });

  it('a token whose sid or scope is not a string', async () => {
    await expectUnauthenticated(verify(await sign(keys, claims({ sid: 123 }))));
    await expectUnauthenticated(verify(await sign(keys, claims({ scope: ['profile'] }))));
  });

  it('garbage and empty strings', async () => {
    await expectUnauthenticated(verify(''));
    await expectUnauthenticated(verify('not.a.jwt'));
    await expectUnauthenticated(verify(genuine.split('.').slice(0, 2).join('.')));
  });
});

describe('key rotation', () => {
  it('keeps verifying tokens of the old key once a new key is put in front, and signs new ones with the new key', async () => {
    const oldJwk = await generatePrivateJwk();
    const newJwk = await generatePrivateJwk();
    const before = await createKeySet([oldJwk]);
    const oldToken = (await issueAccessToken(before, aud, { ...user, ttlSeconds: 600 })).token;

    const rotated = await createKeySet([newJwk, oldJwk]);
    expect(rotated.active.kid).toBe(newJwk.kid);
    expect(rotated.jwks().keys.map((k) => k.kid)).toEqual([newJwk.kid, oldJwk.kid]);
    const newToken = (await issueAccessToken(rotated, aud, { ...user, ttlSeconds: 600 })).token;
    expect(part(newToken, 0).kid).toBe(newJwk.kid);
    expect(part(oldToken, 0).kid).toBe(oldJwk.kid);

    const verifyRotated = verifierFor(rotated);
    await expect(verifyRotated(oldToken)).resolves.toMatchObject({ userId: 'user-1' });
    await expect(verifyRotated(newToken)).resolves.toMatchObject({ userId: 'user-1' });
    // Verifiers that have not seen the new key yet refuse its tokens rather than guess.
    await expectUnauthenticated(verifierFor(before)(newToken));
  });

  it('publishes public keys only', async () => {
    const set = await createKeySet([await generatePrivateJwk(), await generatePrivateJwk()]);
    for (const jwk of set.jwks().keys) {
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(jwk.d).toBeUndefined();
    }
  });

  it('refuses keys that cannot sign ES256', async () => {
    const { d: _private, ...publicOnly } = await generatePrivateJwk();
    await expect(createKeySet([])).rejects.toThrow(/at least one key/);
    await expect(createKeySet([publicOnly])).rejects.toThrow(/private P-256/);
    await expect(createKeySet([{ kty: 'oct', k: 'c2VjcmV0' }])).rejects.toThrow(/private P-256/);
  });
});

describe('loadKeySet', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-keys-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fileIn = (d: string) => path.join(d, 'keys', 'signing.json');

  it('generates a key once, persists it privately, and returns the same kid on the next load', async () => {
    const file = fileIn(dir);
    const first = await loadKeySet({ file, allowGenerate: true, settingName: 'TEST_KEYS' });
    const second = await loadKeySet({ file, allowGenerate: false, settingName: 'TEST_KEYS' });
    expect(second.active.kid).toBe(first.active.kid);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // A token from the first load verifies with the second: it is the same key, not just the same kid.
    const token = (await issueAccessToken(first, aud, { ...user, ttlSeconds: 600 })).token;
    await expect(verifierFor(second)(token)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('agrees on one key when two first starts race', async () => {
    const file = fileIn(dir);
    const [a, b] = await Promise.all([
      loadKeySet({ file, allowGenerate: true, settingName: 'TEST_KEYS' }),
      loadKeySet({ file, allowGenerate: true, settingName: 'TEST_KEYS' }),
    ]);
    expect(a.active.kid).toBe(b.active.kid);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).keys).toHaveLength(1);
  });

  it('refuses to generate when not allowed, naming the setting', async () => {
    const file = fileIn(dir);
    await expect(loadKeySet({ file, allowGenerate: false, settingName: 'TEST_KEYS' })).rejects.toThrow(/TEST_KEYS/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('reads configured JWKS JSON and ignores the file', async () => {
    const jwk = await generatePrivateJwk();
    const set = await loadKeySet({
      configured: JSON.stringify({ keys: [jwk] }),
      file: fileIn(dir),
      allowGenerate: true,
      settingName: 'TEST_KEYS',
    });
    expect(set.active.kid).toBe(jwk.kid);
    expect(fs.existsSync(fileIn(dir))).toBe(false);
  });

  it('says which setting is wrong when the configured JSON is bad', async () => {
    const load = (configured: string) => loadKeySet({ configured, file: fileIn(dir), allowGenerate: true, settingName: 'TEST_KEYS' });
    await expect(load('{not json')).rejects.toThrow(/TEST_KEYS is not valid JSON/);
    await expect(load('[]')).rejects.toThrow(/TEST_KEYS must be a JWKS/);
  });
});
