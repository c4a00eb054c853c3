import path from 'node:path';
import { loadKeySet } from '@meridian/platform';
import { generateKeyEnv, retireKeys, rotateKeys } from '../../../../deploy/key-env';
import { forgeTokens, type ForgedTokens } from '../../../../test/helpers/forged-tokens';
import { LOGIN, ME, newUser, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
let tokens: ForgedTokens;
let userId: string;

beforeAll(async () => {
  h = await startIdentity();
  const user = newUser();
  expect((await h.gql(REGISTER, { input: user })).errors).toBeUndefined();
  userId = await h.idOf(user.email);
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
  // Three identities, each on a database of its own: on the embedded PGlite each start takes seconds.
  it('keeps tokens signed by the previous key valid, and signs new ones with the new key (deploy/generate-keys.ts rotate identity)', async () => {
    const original = await generateKeyEnv();
    const first = await startIdentity({ IDENTITY_SIGNING_KEYS: original.IDENTITY_SIGNING_KEYS });
    const rotatedEnv = await rotateKeys(original, 'identity');
    const newKid = JSON.parse(rotatedEnv.IDENTITY_SIGNING_KEYS).keys[0].kid as string;
    // No activation delay here, so the new key signs at once; the delay itself is tested in signing-keys.test.ts.
    const rotated = await startIdentity({ IDENTITY_SIGNING_KEYS: rotatedEnv.IDENTITY_SIGNING_KEYS, IDENTITY_KEY_ACTIVATION_SECONDS: '0' });
    try {
      const input = newUser();
      await first.gql(REGISTER, { input });
      const before = (await first.gql(LOGIN, { input: { email: input.email, password: input.password } })).data!.login.accessToken;
      // The rotated instance has a database of its own: check verification itself through a fresh user there.
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

      // Retired: only the new key is published, and the old token no longer verifies.
      const retired = await startIdentity({ IDENTITY_SIGNING_KEYS: retireKeys(rotatedEnv, 'identity').IDENTITY_SIGNING_KEYS });
      try {
        expect(((await retired.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: unknown[] }).keys).toHaveLength(1);
        expect((await retired.gql(ME, {}, { accessToken: before })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      } finally {
        await retired.close();
      }
    } finally {
      await rotated.close();
      await first.close();
    }
  }, 120_000);
});
