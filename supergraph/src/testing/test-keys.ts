import {
  createKeySet,
  createServiceTokenIssuer,
  generatePrivateJwk,
  type KeySet,
  type ServiceTokenIssuer,
  type ServiceTokenVerifierOptions,
} from '@meridian/platform';

/** Service keys of a test's own, never written to disk. */
export interface TestServiceKeys {
  keys: KeySet;
  trustedKeys: ServiceTokenVerifierOptions['trustedKeys'];
  /** Issues tokens as `service` for any audience. */
  issuerFor(service: string): ServiceTokenIssuer;
}

/** Makes a fresh ES256 service key and the issuer/trust material around it. */
export async function createTestServiceKeys(): Promise<TestServiceKeys> {
  const keys = await createKeySet([await generatePrivateJwk()]);
  return {
    keys,
    trustedKeys: keys.jwks(),
    issuerFor: (service) => createServiceTokenIssuer({ service, keys }),
  };
}
