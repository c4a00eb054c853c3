import {
  createKeySet,
  createServiceTokenIssuer,
  generatePrivateJwk,
  servicePublicKeys,
  type KeySet,
  type ServiceTokenIssuer,
  type ServiceTrustedKeys,
} from '../auth';

/** The services a test's key set holds a key for, unless it names its own. */
export const TEST_SERVICES = ['gateway', 'bff-web', 'bff-mobile', 'bff-test', 'payments', 'insights'] as const;

/** Service keys of a test's own, one per service as in a deployment, never written to disk. */
export interface TestServiceKeys {
  /** The public keys of every service, each naming its owner: what verifiers hold. */
  trustedKeys: ServiceTrustedKeys;
  /** A service's own signing keys. */
  keysOf(service: string): KeySet;
  /** Issues tokens as `service`, signed with its own key, for any audience. */
  issuerFor(service: string): ServiceTokenIssuer;
  /** `SERVICE_TRUSTED_KEYS`, and `SERVICE_SIGNING_KEYS` for `service` when given, as a server's environment. */
  env(service?: string): Record<string, string>;
}

/** Makes a fresh ES256 key for each of `services` and the trust material around them. */
export async function createTestServiceKeys(services: readonly string[] = TEST_SERVICES): Promise<TestServiceKeys> {
  const privateJwks = new Map<string, Awaited<ReturnType<typeof generatePrivateJwk>>>();
  const sets = new Map<string, KeySet>();
  for (const service of services) {
    const jwk = await generatePrivateJwk();
    privateJwks.set(service, jwk);
    sets.set(service, await createKeySet([jwk]));
  }
  const trustedKeys: ServiceTrustedKeys = { keys: [...sets].flatMap(([service, keys]) => servicePublicKeys(service, keys)) };
  const issuers = new Map<string, ServiceTokenIssuer>();
  const keysOf = (service: string): KeySet => {
    const keys = sets.get(service);
    if (!keys) throw new Error(`the test keys hold no key for ${service}; pass it to createTestServiceKeys`);
    return keys;
  };
  return {
    trustedKeys,
    keysOf,
    issuerFor(service) {
      let issuer = issuers.get(service);
      if (!issuer) {
        issuer = createServiceTokenIssuer({ service, keys: keysOf(service) });
        issuers.set(service, issuer);
      }
      return issuer;
    },
    env(service) {
      return {
        SERVICE_TRUSTED_KEYS: JSON.stringify(trustedKeys),
        ...(service ? { SERVICE_SIGNING_KEYS: JSON.stringify({ keys: [privateJwks.get(service) ?? keysOf(service)] }) } : {}),
      };
    },
  };
}
