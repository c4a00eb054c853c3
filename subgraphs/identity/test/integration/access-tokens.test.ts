import path from 'node:path';
import { loadKeySet, rotateKeyFile } from '@meridian/platform';
import { forgeTokens, type ForgedTokens } from '../../../../test/helpers/forged-tokens';
import { LOGIN, ME, newUser, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
let tokens: ForgedTokens;
let userId: string;

beforeAll(async () => {
  h = await startIdentity();
  const reg = await h.gql(REGISTER, { input: newUser() });
  userId = reg.data!.register.id;
  const keys = await loadKeySet({
    file: path.join(h.config.DATA_DIR, 'keys', 'identity-signing.json'),
    allowGenerate: false,
    settingName: 'test',
  });
  tokens = await forgeTokens(keys, { issuer: h.config.ACCESS_TOKEN_ISSUER, audience: h.config.ACCESS_TOKEN_AUDIENCE }, userId);
});
afterAll(() => h.close());

describe('access token verification', () => {
  it('accepts a genuine token', async () => {
    const res = await h.gql(ME, {}, { accessToken: tokens.genuine });
    expect(res.data?.me.id).toBe(userId);
  });

  it.each(['expired', 'algNone', 'hs256WithPublicKey', 'unknownKid', 'wrongIssuer', 'wrongAudience', 'tampered'] as const)(
    'refuses a %s token with UNAUTHENTICATED and writes nothing',
    async (kind) => {
      const audits = await h.count('audit_events');
      const res = await h.gql(ME, {}, { accessToken: tokens[kind] });
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(await h.count('audit_events')).toBe(audits);
    },
  );

  it('refuses a malformed Authorization header', async () => {
    const res = await h.gql(ME, {}, { headers: { authorization: `Basic ${tokens.genuine}` } });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('publishes its keys as a JWKS without private parts', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    const jwks = res.json() as { keys: Record<string, string>[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });
});

describe('signing key rotation', () => {
  it('keeps tokens signed by the previous key valid, and signs new ones with the new key', async () => {
    const input = newUser();
    await h.gql(REGISTER, { input });
    const before = (await h.gql(LOGIN, { input: { email: input.email, password: input.password } })).data!.login.accessToken;
    const newKid = await rotateKeyFile(path.join(h.config.DATA_DIR, 'keys', 'identity-signing.json'));
    const rotated = await startIdentity({ DATA_DIR: h.config.DATA_DIR });
    try {
      // The new instance shares DATA_DIR (keys) but not the database: `me` on the old user is
      // unknown there, so check verification itself through a fresh user on the new instance.
      const other = newUser();
      await rotated.gql(REGISTER, { input: other });
      const after = (await rotated.gql(LOGIN, { input: { email: other.email, password: other.password } })).data!.login.accessToken;
      expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).toBe(newKid);
      expect(JSON.parse(Buffer.from(before.split('.')[0], 'base64url').toString()).kid).not.toBe(newKid);
      const jwks = (await rotated.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: unknown[] };
      expect(jwks.keys).toHaveLength(2);
      const old = await rotated.gql(ME, {}, { accessToken: before });
      // Verified (not UNAUTHENTICATED for a bad signature); the user lives in the other database.
      expect(old.errors?.[0].message).toBe('This account no longer exists.');
    } finally {
      await rotated.close();
    }
  });
});
