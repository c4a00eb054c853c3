import { createAccessTokenVerifier, createKeySet, createMemorySessionRevocations, generatePrivateJwk, issueAccessToken } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { loadAccessTokenKeys } from '../../src/services/signing-keys';
import { startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// Rotation of access-token keys: a new key is published before it signs, and a
// key taken out of the configuration stays published while its tokens live.

const DELAY_MS = 600_000;
const LIFETIME_MS = 630_000;

let h: IdentityHarness;
let db: DataSource;
beforeAll(async () => {
  h = await startIdentity();
  db = h.server.dataSource;
});
afterAll(() => h.close());

const kidsOf = (jwks: { keys: { kid?: string }[] }) => jwks.keys.map((k) => k.kid);

describe('access-token signing keys', () => {
  /** Moves a key's first publication back by `seconds`, as if it had been published that long ago. */
  const publishedAgo = (kid: string | undefined, seconds: number) =>
    db.query(`UPDATE identity.signing_keys SET published_at = now() - make_interval(secs => $2) WHERE kid = $1`, [kid, seconds]);

  it('sign with a new key only once it has been published for the activation delay, publishing both meanwhile', async () => {
    let clock = Date.now();
    const options = { activationDelayMs: DELAY_MS, tokenLifetimeMs: LIFETIME_MS, now: () => clock };
    const oldJwk = await generatePrivateJwk();
    const first = await loadAccessTokenKeys(db, await createKeySet([oldJwk]), options);
    // A first deployment has nothing older to sign with: its only key signs at once.
    expect(first.signing.active.kid).toBe(oldJwk.kid);
    await publishedAgo(oldJwk.kid, 86_400);

    clock = Date.now();
    const newJwk = await generatePrivateJwk();
    const rotated = await loadAccessTokenKeys(db, await createKeySet([newJwk, oldJwk]), options);
    expect(kidsOf(rotated.jwks())).toEqual(expect.arrayContaining([newJwk.kid, oldJwk.kid]));
    expect(rotated.signing.active.kid).toBe(oldJwk.kid);
    clock += DELAY_MS - 5_000;
    expect(rotated.signing.active.kid).toBe(oldJwk.kid);
    clock += 10_000;
    expect(rotated.signing.active.kid).toBe(newJwk.kid);

    // Another replica starting later agrees, from the recorded publication.
    const replica = await loadAccessTokenKeys(db, await createKeySet([newJwk, oldJwk]), options);
    expect(replica.signing.active.kid).toBe(newJwk.kid);
  });

  it('keep a retired key published until every token it signed has expired, and verify those tokens meanwhile', async () => {
    let clock = Date.now();
    const options = { activationDelayMs: DELAY_MS, tokenLifetimeMs: LIFETIME_MS, now: () => clock };
    const oldJwk = await generatePrivateJwk();
    const before = await loadAccessTokenKeys(db, await createKeySet([oldJwk]), options);
    const aud = { issuer: 'https://identity.test', audience: 'meridian-api' };
    const token = (await issueAccessToken(before.signing, aud, { userId: 'u', sessionId: 's', roles: ['CUSTOMER'], scopes: [], ttlSeconds: 600 })).token;
    await publishedAgo(oldJwk.kid, 86_400);

    const newJwk = await generatePrivateJwk();
    await loadAccessTokenKeys(db, await createKeySet([newJwk, oldJwk]), options);
    // The new key has signed for a minute when the old one is taken out.
    await publishedAgo(newJwk.kid, DELAY_MS / 1000 + 60);
    clock = Date.now();
    const retired = await loadAccessTokenKeys(db, await createKeySet([newJwk]), options);
    expect(retired.signing.active.kid).toBe(newJwk.kid);
    expect(kidsOf(retired.jwks())).toEqual(expect.arrayContaining([newJwk.kid, oldJwk.kid]));
    const verifier = () => createAccessTokenVerifier({ ...aud, keys: retired.resolver, revocations: createMemorySessionRevocations() });
    await expect(verifier()(token)).resolves.toMatchObject({ userId: 'u' });

    // Once the last token the old key could have signed has expired, it is gone.
    clock += LIFETIME_MS - 60_000 + 1_000;
    expect(kidsOf(retired.jwks())).toContain(newJwk.kid);
    expect(kidsOf(retired.jwks())).not.toContain(oldJwk.kid);
    await expect(verifier()(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('serve the published set at identity’s JWKS route', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    const { keys } = res.json() as { keys: { kid: string; d?: string }[] };
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => 'd' in k)).toBe(false);
  });

  it('report each configured key\'s age for /metrics: its stamp, else when it was first published, and which one signs', async () => {
    const options = { activationDelayMs: DELAY_MS, tokenLifetimeMs: LIFETIME_MS };
    const stamped = await generatePrivateJwk();
    const { iat: _none, ...undated } = await generatePrivateJwk();
    // The first load records both as published now; the undated one is then made a month old.
    await loadAccessTokenKeys(db, await createKeySet([stamped, undated]), options);
    await publishedAgo(undated.kid, 86_400 * 30);
    const [{ published }] = await db.query(`SELECT extract(epoch FROM published_at)::float8 AS published FROM identity.signing_keys WHERE kid = $1`, [undated.kid]);
    const reloaded = await loadAccessTokenKeys(db, await createKeySet([stamped, undated]), options);
    const ages = reloaded.ages();
    // The month-old key signs; the new one waits for its activation delay.
    expect(ages.map(({ kid, active }) => ({ kid, active }))).toEqual([
      { kid: stamped.kid, active: false },
      { kid: undated.kid, active: true },
    ]);
    expect(ages[0].createdAt).toEqual(new Date(stamped.iat * 1000));
    expect(Math.abs(ages[1].createdAt!.getTime() - published * 1000)).toBeLessThan(1);
  });
});
