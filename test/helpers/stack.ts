import { createBankingServer, loadBankingConfig, type BankingServer } from '@meridian/banking';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';
import { createWebBffServer, loadWebBffConfig } from '@meridian/bff-web';
import { createIdentityServer, loadIdentityConfig, type IdentityServer } from '@meridian/identity';
import type { MeridianServer } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';

/** A GraphQL response as the tests read it. */
export interface GqlResult {
  status: number;
  headers: Record<string, unknown>;
  data?: Record<string, any> | null;
  errors?: { message: string; path?: unknown; extensions?: Record<string, unknown> }[];
}

/** Identity and banking on one database and their own ports, both BFFs in-process in front of them. */
export interface Stack {
  identity: IdentityServer;
  banking: BankingServer;
  web: MeridianServer;
  mobile: MeridianServer;
  db: TestDatabase;
  /** POSTs a GraphQL request to a BFF the way an app would. */
  call(
    bff: 'web' | 'mobile',
    query: string,
    variables?: Record<string, unknown>,
    options?: { accessToken?: string; headers?: Record<string, string> },
  ): Promise<GqlResult>;
  close(): Promise<void>;
}

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Starts the stack for one test file; env overrides apply to every server. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const db = await createTestDatabase();
  const identity = await createIdentityServer(loadIdentityConfig({ ...process.env, MIGRATE_ON_START: 'true', ...env }), {
    databaseUrl: db.url,
  });
  await identity.app.listen({ port: 0, host: '127.0.0.1' });
  const identityBase = `http://127.0.0.1:${portOf(identity)}`;
  // Banking verifies user tokens against the identity this stack started, as it would in a deployment.
  const banking = await createBankingServer(
    loadBankingConfig({ ...process.env, MIGRATE_ON_START: 'true', IDENTITY_JWKS_URL: `${identityBase}/.well-known/jwks.json`, ...env }),
    { databaseUrl: db.url },
  );
  await banking.app.listen({ port: 0, host: '127.0.0.1' });
  const bffEnv = {
    ...process.env,
    IDENTITY_URL: `${identityBase}/graphql`,
    BANKING_URL: `http://127.0.0.1:${portOf(banking)}/graphql`,
    // The BFFs verify tokens to rate-limit per user.
    IDENTITY_JWKS_URL: `${identityBase}/.well-known/jwks.json`,
    ...env,
  };
  const web = await createWebBffServer(loadWebBffConfig(bffEnv));
  const mobile = await createMobileBffServer(loadMobileBffConfig(bffEnv));
  const servers = { web, mobile };
  return {
    identity,
    banking,
    web,
    mobile,
    db,
    async call(bff, query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
      const res = await servers[bff].app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
      return { status: res.statusCode, headers: res.headers, ...(JSON.parse(res.body) as object) };
    },
    async close() {
      await mobile.close();
      await web.close();
      await banking.close();
      await identity.close();
      await db.drop();
    },
  };
}
