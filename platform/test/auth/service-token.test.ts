import { SignJWT, type JWTPayload } from 'jose';
import {
  createKeySet,
  createServiceTokenIssuer,
  createServiceTokenVerifier,
  DomainError,
  generatePrivateJwk,
  indexServiceKeys,
  servicePublicKeys,
  type KeySet,
  type ServiceTrustedKeys,
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
/** Banking's view: `keys` belongs to the gateway, `otherKeys` to bff-web. */
let trusted: ServiceTrustedKeys;

beforeAll(async () => {
  keys = await createKeySet([await generatePrivateJwk()]);
  otherKeys = await createKeySet([await generatePrivateJwk()]);
  trusted = { keys: [...servicePublicKeys('gateway', keys), ...servicePublicKeys('bff-web', otherKeys)] };
});
afterEach(() => jest.restoreAllMocks());

describe('service tokens', () => {
  it('pass for the audience they name and return the caller, the owner of the signing key', async () => {
    const tokenFor = createServiceTokenIssuer({ service: 'gateway', keys });
    const verify = createServiceTokenVerifier({ audience: 'banking', trustedKeys: trusted });
    await expect(verify(await tokenFor('banking'))).resolves.toBe('gateway');
    await expect(verify(await createServiceTokenIssuer({ service: 'bff-web', keys: otherKeys })('banking'))).resolves.toBe('bff-web');
    expect(header(await tokenFor('banking'))).toEqual({ alg: 'ES256', kid: keys.active.kid, typ: 'service+jwt' });
  });

  it('pass during a rotation when signed by the old or the new key of the same service, and not after the old one is dropped', async () => {
    const rotated = await createKeySet([await generatePrivateJwk()]);
    const overlap = createServiceTokenVerifier({
      audience: 'banking',
      trustedKeys: { keys: [...servicePublicKeys('gateway', rotated), ...servicePublicKeys('gateway', keys)] },
    });
    const before = await createServiceTokenIssuer({ service: 'gateway', keys })('banking');
    const after = await createServiceTokenIssuer({ service: 'gateway', keys: rotated })('banking');
    await expect(overlap(before)).resolves.toBe('gateway');
    await expect(overlap(after)).resolves.toBe('gateway');
    const retired = createServiceTokenVerifier({ audience: 'banking', trustedKeys: { keys: servicePublicKeys('gateway', rotated) } });
    await expect(retired(after)).resolves.toBe('gateway');
    await expectUnauthenticated(retired(before));
  });
});

describe('the service token verifier refuses with UNAUTHENTICATED', () => {
  const verifier = () => createServiceTokenVerifier({ audience: 'banking', trustedKeys: trusted });

  it('a token for another audience', async () => {
    await expectUnauthenticated(verifier()(await createServiceTokenIssuer({ service: 'gateway', keys })('identity')));
  });

  it('a token signed by a key it does not trust', async () => {
    const rogue = await createKeySet([await generatePrivateJwk()]);
    await expectUnauthenticated(verifier()(await createServiceTokenIssuer({ service: 'gateway', keys: rogue })('banking')));
  });

  it("a token whose subject is another service than the signing key's owner", async () => {
    // bff-web's key, claiming to be the gateway or a service nobody has a key for.
    await expectUnauthenticated(verifier()(await createServiceTokenIssuer({ service: 'gateway', keys: otherKeys })('banking')));
    await expectUnauthenticated(verifier()(await createServiceTokenIssuer({ service: 'payments', keys: otherKeys })('banking')));
    await expectUnauthenticated(verifier()(await craft(otherKeys, { sub: 'gateway' })));
  });

  it('a token without a key id, or with a key id it does not know', async () => {
    const iat = nowSeconds();
    const claims = { iss: 'meridian-services', sub: 'gateway', aud: 'banking', iat, exp: iat + 60, jti: 'jti-2' };
    await expectUnauthenticated(verifier()(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'service+jwt' }).sign(keys.active.privateKey)));
    await expectUnauthenticated(
      verifier()(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'not-a-key', typ: 'service+jwt' }).sign(keys.active.privateKey)),
    );
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

describe('trusted service keys', () => {
  const pub = () => servicePublicKeys('gateway', keys)[0];

  it.each([
    ['not a JWKS', () => ({})],
    ['a key without its service', () => ({ keys: [{ ...pub(), service: undefined }] })],
    ['a key whose service is not a name', () => ({ keys: [{ ...pub(), service: 'Gateway Server' }] })],
    ['a private key', () => ({ keys: [{ ...pub(), d: 'secret' }] })],
    ['a key without a kid', () => ({ keys: [{ ...pub(), kid: undefined }] })],
    ['one key id twice', () => ({ keys: [pub(), { ...pub(), service: 'bff-web' }] })],
    ['a key that is not P-256', () => ({ keys: [{ ...pub(), crv: 'P-384' }] })],
  ])('refuse %s', (name, set) => {
    const message = {
      'not a JWKS': /JWKS/,
      'a key without its service': /must name its service/,
      'a key whose service is not a name': /must name its service/,
      'a private key': /private part/,
      'a key without a kid': /needs a kid/,
      'one key id twice': /appears twice/,
      'a key that is not P-256': /P-256/,
    }[name]!;
    expect(() => indexServiceKeys(set() as never)).toThrow(message);
    expect(() => createServiceTokenVerifier({ audience: 'banking', trustedKeys: set() as never })).toThrow(message);
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
