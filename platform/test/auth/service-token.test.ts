import { SignJWT, type JWTPayload } from 'jose';
import {
  createKeySet,
  createServiceTokenIssuer,
  createServiceTokenVerifier,
  DomainError,
  generatePrivateJwk,
  type KeySet,
} from '@meridian/platform';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

async function expectUnauthenticated(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => {
      throw new Error('expected the service token to be refused, but it verified');
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('UNAUTHENTICATED');
}

/** A service token with every claim chosen by the test, signed by `keys`. */
function craft(keys: KeySet, overrides: JWTPayload = {}, typ = 'service+jwt'): Promise<string> {
  const iat = nowSeconds();
  return new SignJWT({ iss: 'meridian-services', sub: 'gateway', aud: 'banking', iat, exp: iat + 60, jti: 'jti-1', ...overrides })
    .setProtectedHeader({ alg: 'ES256', kid: keys.active.kid, typ })
    .sign(keys.active.privateKey);
}

let keys: KeySet;
let otherKeys: KeySet;

beforeAll(async () => {
  keys = await createKeySet([await generatePrivateJwk()]);
  otherKeys = await createKeySet([await generatePrivateJwk()]);
});
afterEach(() => jest.restoreAllMocks());

describe('service tokens', () => {
  it('pass for the audience they name and return the caller', async () => {
    const tokenFor = createServiceTokenIssuer({ service: 'gateway', keys });
    const verify = createServiceTokenVerifier({ audience: 'banking', trustedKeys: keys.jwks() });
    await expect(verify(await tokenFor('banking'))).resolves.toBe('gateway');
    expect(header(await tokenFor('banking'))).toEqual({ alg: 'ES256', kid: keys.active.kid, typ: 'service+jwt' });
  });

  it('pass for an allowed caller', async () => {
    const verify = createServiceTokenVerifier({ audience: 'banking', trustedKeys: keys.jwks(), allowedCallers: ['bff-web', 'gateway'] });
    await expect(verify(await createServiceTokenIssuer({ service: 'gateway', keys })('banking'))).resolves.toBe('gateway');
  });

  it('pass when signed by any of the trusted keys (rotation)', async () => {
    const both = { keys: [...otherKeys.jwks().keys, ...keys.jwks().keys] };
    const verify = createServiceTokenVerifier({ audience: 'banking', trustedKeys: both });
    await expect(verify(await createServiceTokenIssuer({ service: 'a', keys })('banking'))).resolves.toBe('a');
    await expect(verify(await createServiceTokenIssuer({ service: 'b', keys: otherKeys })('banking'))).resolves.toBe('b');
  });
});

describe('the service token verifier refuses with UNAUTHENTICATED', () => {
  const verifier = () => createServiceTokenVerifier({ audience: 'banking', trustedKeys: keys.jwks() });

  it('a token for another audience', async () => {
    await expectUnauthenticated(verifier()(await createServiceTokenIssuer({ service: 'gateway', keys })('identity')));
  });

  it('a token signed by a key it does not trust', async () => {
    await expectUnauthenticated(verifier()(await createServiceTokenIssuer({ service: 'gateway', keys: otherKeys })('banking')));
  });

  it('a missing or empty token', async () => {
    await expectUnauthenticated(verifier()(undefined));
    await expectUnauthenticated(verifier()(''));
  });

  it('an expired token', async () => {
    await expectUnauthenticated(verifier()(await craft(keys, { iat: nowSeconds() - 180, exp: nowSeconds() - 60 })));
  });

  it('a token issued too long ago, even if its exp is far away', async () => {
    await expectUnauthenticated(verifier()(await craft(keys, { iat: nowSeconds() - 600, exp: nowSeconds() + 3_600 })));
  });

  it('a caller that is not allowed', async () => {
    const verify = createServiceTokenVerifier({ audience: 'banking', trustedKeys: keys.jwks(), allowedCallers: ['gateway'] });
    await expectUnauthenticated(verify(await createServiceTokenIssuer({ service: 'bff-web', keys })('banking')));
  });

  it('a user access token signed with the same key', async () => {
    await expectUnauthenticated(verifier()(await craft(keys, {}, 'at+jwt')));
    await expectUnauthenticated(verifier()(await craft(keys, { iss: 'https://identity.meridian.local' })));
  });

  it('a token without a subject or id', async () => {
    await expectUnauthenticated(verifier()(await craft(keys, { sub: undefined })));
    await expectUnauthenticated(verifier()(await craft(keys, { jti: undefined })));
  });

  it('a crafted token that verifies when nothing is wrong with it (control)', async () => {
    await expect(verifier()(await craft(keys))).resolves.toBe('gateway');
  });
});

describe('the service token issuer', () => {
  it('reuses one token per audience', async () => {
    const tokenFor = createServiceTokenIssuer({ service: 'gateway', keys });
    const banking = await tokenFor('banking');
    const identity = await tokenFor('identity');
    expect(await tokenFor('banking')).toBe(banking);
    expect(await tokenFor('identity')).toBe(identity);
    expect(identity).not.toBe(banking);
  });

  it('mints a new token once the cached one is within 15 s of expiry', async () => {
    const tokenFor = createServiceTokenIssuer({ service: 'gateway', keys, ttlSeconds: 60 });
    const first = await tokenFor('banking');
    const start = Date.now();
    const now = jest.spyOn(Date, 'now');
    now.mockReturnValue(start + 40_000);
    expect(await tokenFor('banking')).toBe(first);
    now.mockReturnValue(start + 50_000);
    expect(await tokenFor('banking')).not.toBe(first);
  });
});
