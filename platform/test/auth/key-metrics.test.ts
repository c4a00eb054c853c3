import { Registry } from 'prom-client';
import { createKeySet, generatePrivateJwk, registerSigningKeyMetrics, signingKeyAges } from '@meridian/platform';
import { metricValue } from '@meridian/platform/testing';

describe('signing key metrics', () => {
  it('report when each key was made, which one signs, and leave out keys made without a date', async () => {
    const before = Math.floor(Date.now() / 1000);
    const fresh = await generatePrivateJwk();
    expect(fresh.iat).toBeGreaterThanOrEqual(before);
    const older = { ...(await generatePrivateJwk()), iat: before - 86_400 * 100 };
    const { iat: _none, ...undated } = await generatePrivateJwk();
    const keys = await createKeySet([fresh, older, undated]);
    expect(keys.active.createdAt?.getTime()).toBe(fresh.iat * 1000);
    // The stamp is a member verifiers ignore: the published key still carries only public parts and it.
    expect(keys.jwks().keys[0]).not.toHaveProperty('d');

    const registry = new Registry();
    registerSigningKeyMetrics(registry, 'payments', signingKeyAges(keys));
    expect(await metricValue(registry, 'signing_key_created_timestamp_seconds', { owner: 'payments', kid: keys.keys[0].kid, active: 'true' })).toBe(fresh.iat);
    expect(await metricValue(registry, 'signing_key_created_timestamp_seconds', { owner: 'payments', kid: keys.keys[1].kid, active: 'false' })).toBe(before - 86_400 * 100);
    expect(await metricValue(registry, 'signing_key_created_timestamp_seconds', { kid: keys.keys[2].kid })).toBeUndefined();
  });

  it('report every owner of one registry (a process signing for several) under one metric', async () => {
    const registry = new Registry();
    const gateway = await createKeySet([await generatePrivateJwk()]);
    registerSigningKeyMetrics(registry, 'gateway', signingKeyAges(gateway));
    registerSigningKeyMetrics(registry, 'identity', () => [{ kid: 'published-key', createdAt: new Date(1_700_000_000_000), active: true }]);
    const text = await registry.metrics();
    expect(text).toMatch(new RegExp(`signing_key_created_timestamp_seconds\\{owner="gateway",kid="${gateway.active.kid}",active="true"\\} \\d+`));
    expect(text).toMatch(/signing_key_created_timestamp_seconds\{owner="identity",kid="published-key",active="true"\} 1700000000/);
  });
});
