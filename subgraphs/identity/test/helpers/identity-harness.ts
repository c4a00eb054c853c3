import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '@meridian/platform';
import { createTestDatabase, createTestServiceKeys, type TestDatabase, type TestServiceKeys } from '@meridian/platform/testing';
import { createIdentityServer, loadIdentityConfig, type IdentityConfig, type IdentityServer, type IdentityServerDeps } from '../../src';

/** A GraphQL response as the tests read it. */
export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** Identity on a database of its own, called in-process with a gateway service token. */
export interface IdentityHarness {
  server: IdentityServer;
  config: IdentityConfig;
  db: TestDatabase;
  /** Issues service tokens as the gateway. */
  serviceToken: ServiceTokenIssuer;
  /** The service keys identity trusts: one per calling service. */
  serviceKeys: TestServiceKeys;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { accessToken?: string; headers?: Record<string, string>; serviceToken?: string | null },
  ): Promise<GqlResponse<T>>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts identity for one test file. */
export async function startIdentity(env: Record<string, string> = {}, deps: Partial<IdentityServerDeps> = {}): Promise<IdentityHarness> {
  const db = await createTestDatabase();
  const serviceKeys = await createTestServiceKeys();
  const config = loadIdentityConfig({ ...process.env, MIGRATE_ON_START: 'true', ...serviceKeys.env(), ...env });
  const server = await createIdentityServer(config, { databaseUrl: db.url, ...deps });
  const serviceToken = serviceKeys.issuerFor('gateway');
  return {
    server,
    config,
    db,
    serviceToken,
    serviceKeys,
    async gql(query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.serviceToken !== null) headers[SERVICE_TOKEN_HEADER] = options.serviceToken ?? (await serviceToken('identity'));
      if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
      const res = await server.app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
      return { status: res.statusCode, ...(JSON.parse(res.body) as object) };
    },
    async count(table) {
      const rows = (await server.dataSource.query(`SELECT count(*)::int AS n FROM identity.${table}`)) as { n: number }[];
      return rows[0].n;
    },
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) { id email phone displayName roles status createdAt }
  }
`;
export const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { accessToken expiresAt refreshToken refreshExpiresAt user { id email } }
  }
`;
export const REFRESH = /* GraphQL */ `
  mutation Refresh($token: String!, $deviceId: String) {
    refreshSession(refreshToken: $token, deviceId: $deviceId) { accessToken refreshToken expiresAt refreshExpiresAt user { id } }
  }
`;
export const LOGOUT = /* GraphQL */ `
  mutation Logout($token: String) { logout(refreshToken: $token) }
`;
export const ME = /* GraphQL */ `query Me { me { id email displayName roles status } }`;
export const MY_SESSIONS = /* GraphQL */ `
  query MySessions { me { id sessions { id deviceId userAgent createdAt lastActiveAt expiresAt current } } }
`;
export const REVOKE_SESSION = /* GraphQL */ `mutation RevokeSession($id: ID!) { revokeSession(id: $id) }`;

let counter = 0;
/** A unique, valid registration input. */
export function newUser(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    email: `user${counter}.${Date.now()}@example.com`,
    password: 'correct horse battery staple',
    displayName: `User ${counter}`,
    ...overrides,
  };
}
