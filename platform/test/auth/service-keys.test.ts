import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createServiceTokenIssuer,
  createServiceTokenVerifier,
  loadBaseConfig,
  loadServiceSigningKeys,
  loadServiceTrustedKeys,
  SIGNING_SERVICES,
} from '@meridian/platform';

const devConfig = () => loadBaseConfig({ NODE_ENV: 'development', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-keys-')) });

describe('service keys outside production', () => {
  it('give each signing service its own generated key, which a verifier started first already trusts under that name', async () => {
    const config = devConfig();
    // The verifier loads first, as identity does in `npm start`, before any caller has made its key.
    const verify = createServiceTokenVerifier({ audience: 'identity', trustedKeys: await loadServiceTrustedKeys(config) });
    const kids = new Set<string>();
    for (const service of SIGNING_SERVICES) {
      const keys = await loadServiceSigningKeys(config, service);
      kids.add(keys.active.kid);
      await expect(verify(await createServiceTokenIssuer({ service, keys })('identity'))).resolves.toBe(service);
      expect(fs.existsSync(path.join(config.DATA_DIR, 'keys', `service-${service}.json`))).toBe(true);
    }
    expect(kids.size).toBe(SIGNING_SERVICES.length);
    const webKeys = await loadServiceSigningKeys(config, 'bff-web');
    await expect(verify(await createServiceTokenIssuer({ service: 'gateway', keys: webKeys })('identity'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('are never generated in production: both settings must be given', async () => {
    const config = loadBaseConfig({ NODE_ENV: 'production', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-keys-')) });
    await expect(loadServiceTrustedKeys(config)).rejects.toThrow(/SERVICE_TRUSTED_KEYS must be set in production/);
    await expect(loadServiceSigningKeys(config, 'gateway')).rejects.toThrow(/SERVICE_SIGNING_KEYS must be set in production/);
  });

  it('refuse a trusted set whose keys do not name their service', async () => {
    const config = loadBaseConfig({ NODE_ENV: 'production', SERVICE_TRUSTED_KEYS: JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: 'k1' }] }) });
    await expect(loadServiceTrustedKeys(config)).rejects.toThrow(/SERVICE_TRUSTED_KEYS: .*must name its service/);
  });
});
