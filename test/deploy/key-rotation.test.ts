import {
  createServiceTokenIssuer,
  loadDataProtection,
  createServiceTokenVerifier,
  loadBaseConfig,
  loadServiceSigningKeys,
  loadServiceTrustedKeys,
  SIGNING_SERVICES,
} from '@meridian/platform';
import { formatKeyEnv, generateKeyEnv, parseEnvFile, retireKeys, rotateDataKeys, rotateKeys, signingKeysVariable, type KeyEnv } from '../../deploy/key-env';

/** A production server's view of the key env: its own signing keys, everyone's public ones. */
function configFor(env: KeyEnv, service?: string) {
  return loadBaseConfig({
    NODE_ENV: 'production',
    SERVICE_TRUSTED_KEYS: env.SERVICE_TRUSTED_KEYS,
    ...(service ? { SERVICE_SIGNING_KEYS: env[signingKeysVariable(service)] } : {}),
  });
}

async function tokenAs(env: KeyEnv, service: string, claimed = service): Promise<string> {
  const keys = await loadServiceSigningKeys(configFor(env, service), service);
  return createServiceTokenIssuer({ service: claimed, keys })('banking');
}

async function verifierFor(env: KeyEnv) {
  return createServiceTokenVerifier({ audience: 'banking', trustedKeys: await loadServiceTrustedKeys(configFor(env)) });
}

describe('deployment keys (deploy/generate-keys.ts)', () => {
  it('give every signing service a private key of its own and every verifier the public set, each key naming its owner', async () => {
    const env = await generateKeyEnv();
    const verify = await verifierFor(env);
    const kids = new Set<string>();
    for (const service of SIGNING_SERVICES) {
      const own = JSON.parse(env[signingKeysVariable(service)]) as { keys: { kid: string; d?: string }[] };
      expect(own.keys).toHaveLength(1);
      expect(own.keys[0].d).toEqual(expect.any(String));
      kids.add(own.keys[0].kid);
      await expect(verify(await tokenAs(env, service))).resolves.toBe(service);
    }
    expect(kids.size).toBe(SIGNING_SERVICES.length);
    expect(env.SERVICE_TRUSTED_KEYS).not.toMatch(/"d"/);
    expect(JSON.parse(env.SERVICE_TRUSTED_KEYS).keys.map((k: { service: string }) => k.service).sort()).toEqual([...SIGNING_SERVICES].sort());
  });

  it('refuse a service that signs in the name of another, so allow-lists such as LEDGER_API_CALLERS mean something', async () => {
    const env = await generateKeyEnv();
    const verify = await verifierFor(env);
    await expect(verify(await tokenAs(env, 'bff-web', 'payments'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verify(await tokenAs(env, 'bff-mobile', 'gateway'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rotate a service key with an overlap in which the old and the new key are both accepted, and retire the old one after', async () => {
    const original = await generateKeyEnv();
    const oldToken = await tokenAs(original, 'bff-web');

    const rotated = await rotateKeys(original, 'bff-web');
    const newToken = await tokenAs(rotated, 'bff-web');
    expect(newToken).not.toBe(oldToken);
    const during = await verifierFor(rotated);
    await expect(during(oldToken)).resolves.toBe('bff-web');
    await expect(during(newToken)).resolves.toBe('bff-web');
    await expect(during(await tokenAs(rotated, 'gateway'))).resolves.toBe('gateway');

    const retired = retireKeys(rotated, 'bff-web');
    const after = await verifierFor(retired);
    await expect(after(newToken)).resolves.toBe('bff-web');
    await expect(after(oldToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(after(await tokenAs(retired, 'gateway'))).resolves.toBe('gateway');
    expect(JSON.parse(retired[signingKeysVariable('bff-web')]).keys).toHaveLength(1);
  });

  it("rotate identity's access-token keys keeping the old one published until it is retired", async () => {
    const original = await generateKeyEnv();
    const [oldKey] = JSON.parse(original.IDENTITY_SIGNING_KEYS).keys;
    const rotated = await rotateKeys(original, 'identity');
    const keys = JSON.parse(rotated.IDENTITY_SIGNING_KEYS).keys;
    expect(keys).toHaveLength(2);
    expect(keys[1].kid).toBe(oldKey.kid);
    expect(rotated.SERVICE_TRUSTED_KEYS).toBe(original.SERVICE_TRUSTED_KEYS);
    const retired = retireKeys(rotated, 'identity');
    expect(JSON.parse(retired.IDENTITY_SIGNING_KEYS).keys.map((k: { kid: string }) => k.kid)).toEqual([keys[0].kid]);
  });

  it('give a signing service added after the file was made (insights) its first key by rotating it, trusted by every verifier', async () => {
    const { [signingKeysVariable('insights')]: _missing, ...older } = await generateKeyEnv();
    const trustedBefore = JSON.parse(older.SERVICE_TRUSTED_KEYS).keys.filter((k: { service: string }) => k.service !== 'insights');
    const upgraded = await rotateKeys({ ...older, SERVICE_TRUSTED_KEYS: JSON.stringify({ keys: trustedBefore }) }, 'insights');
    expect(JSON.parse(upgraded[signingKeysVariable('insights')]).keys).toHaveLength(1);
    const verify = await verifierFor(upgraded);
    await expect(verify(await tokenAs(upgraded, 'insights'))).resolves.toBe('insights');
    await expect(verify(await tokenAs(upgraded, 'payments'))).resolves.toBe('payments');
    // Identity's access-token keys are never made up this way: a missing set stays an error.
    const { IDENTITY_SIGNING_KEYS: _identity, ...withoutIdentity } = upgraded;
    await expect(rotateKeys(withoutIdentity, 'identity')).rejects.toThrow('IDENTITY_SIGNING_KEYS is missing');
  });

  it('rotate the personal-data master key: the new one seals, what the old one sealed still opens and rewraps, blind indexes stay the same', async () => {
    const original = await generateKeyEnv();
    const before = loadDataProtection(loadBaseConfig({ NODE_ENV: 'production', DATA_PROTECTION_KEYS: original.DATA_PROTECTION_KEYS }));
    const sealed = before.envelope.seal(Buffer.from('GB29 NWBK 6016 1331 9268 19'), 'kyc.tax_id');

    const rotated = rotateDataKeys(original);
    const after = loadDataProtection(loadBaseConfig({ NODE_ENV: 'production', DATA_PROTECTION_KEYS: rotated.DATA_PROTECTION_KEYS }));
    expect(JSON.parse(rotated.DATA_PROTECTION_KEYS).masterKeys).toHaveLength(2);
    expect(after.envelope.open(sealed, 'kyc.tax_id').toString()).toBe('GB29 NWBK 6016 1331 9268 19');
    const rewrapped = after.envelope.rewrap(sealed);
    expect(() => before.envelope.open(rewrapped, 'kyc.tax_id')).toThrow();
    expect(after.envelope.open(rewrapped, 'kyc.tax_id').toString()).toBe('GB29 NWBK 6016 1331 9268 19');
    expect(after.blindIndex('AB123456C', 'kyc.tax_id')).toBe(before.blindIndex('AB123456C', 'kyc.tax_id'));
  });

  it('write and read back the env file, keeping other variables', async () => {
    const env = { ...(await generateKeyEnv()), POSTGRES_PASSWORD: 'local-only' };
    expect(parseEnvFile(formatKeyEnv(env))).toEqual(env);
  });
});
