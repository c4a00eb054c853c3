import { createBankingServer, loadBankingConfig, type BankingServer } from '@meridian/banking';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';
import { createWebBffServer, loadWebBffConfig } from '@meridian/bff-web';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createIdentityServer, loadIdentityConfig, type IdentityServer } from '@meridian/identity';
import { createKycServer, loadKycConfig, PROVIDER_WEBHOOK_ROUTE, type KycServer } from '@meridian/kyc';
import { createPaymentsServer, createSimulatedPaymentProvider, loadPaymentsConfig, type PaymentsServer } from '@meridian/payments';
import { createDevMailbox, createMemoryKeyValueStore, generateWebhookSecret, type DevMailbox, type MeridianServer } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';

/** A GraphQL response as the tests read it. */
export interface GqlResult {
  status: number;
  headers: Record<string, unknown>;
  data?: Record<string, any> | null;
  errors?: { message: string; path?: unknown; extensions?: Record<string, unknown> }[];
}

/** Identity, banking, KYC and payments on one database and their own ports, both BFFs in-process in front of them. */
export interface Stack {
  identity: IdentityServer;
  banking: BankingServer;
  kyc: KycServer;
  payments: PaymentsServer;
  /** What KYC sent (phone codes), as the development mailbox keeps it. */
  mailbox: DevMailbox;
  web: MeridianServer;
  mobile: MeridianServer;
  db: TestDatabase;
  /** POSTs a GraphQL request to a BFF the way an app would. */
  call(
    bff: 'web' | 'mobile',
    query: string,
    variables?: Record<string, unknown>,
    options?: { accessToken?: string; cookie?: string; headers?: Record<string, string>; remoteAddress?: string },
  ): Promise<GqlResult>;
  /**
   * Signs in to the web BFF as the dashboard does (POST /auth/login from its own
   * origin) and returns the `name=value` of the session cookie to send back.
   */
  webLogin(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** The host and origin the tests' dashboard is served from. */
export const WEB_HOST = 'bank.example';
export const WEB_ORIGIN = `https://${WEB_HOST}`;

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
  // Uploads from the BFFs and KYC's documents share one encrypted object store, as in a deployment.
  const objectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-stack-objects-'));
  const mailbox = createDevMailbox({ kv: createMemoryKeyValueStore() });
  let kycPort = 0;
  const kyc = await createKycServer(
    loadKycConfig({ ...process.env, MIGRATE_ON_START: 'true', IDENTITY_JWKS_URL: `${identityBase}/.well-known/jwks.json`, OBJECT_STORE_DIR: objectDir, ...env }),
    {
      databaseUrl: db.url,
      notifier: mailbox,
      providerDelayMs: 20,
      // The simulated provider calls KYC back over HTTP, as a provider would.
      deliverWebhook: async ({ headers, body }) => {
        const res = await fetch(`http://127.0.0.1:${kycPort}${PROVIDER_WEBHOOK_ROUTE}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        await res.arrayBuffer();
        return { status: res.status };
      },
    },
  );
  await kyc.app.listen({ port: 0, host: '127.0.0.1' });
  kycPort = portOf(kyc);
  // Payments reaches banking, identity and KYC over HTTP with its own service token, as in a deployment.
  const paymentsWebhookSecret = generateWebhookSecret();
  const payments: PaymentsServer = await createPaymentsServer(
    loadPaymentsConfig({
      PAYMENTS_WEBHOOK_SECRETS: paymentsWebhookSecret,
      ...process.env,
      MIGRATE_ON_START: 'true',
      IDENTITY_JWKS_URL: `${identityBase}/.well-known/jwks.json`,
      BANKING_INTERNAL_URL: `http://127.0.0.1:${portOf(banking)}`,
      IDENTITY_INTERNAL_URL: identityBase,
      KYC_INTERNAL_URL: `http://127.0.0.1:${kycPort}`,
      ...env,
    }),
    {
      databaseUrl: db.url,
      // The simulated provider keeps its state in memory here, as KYC's mailbox does: the stack's Redis may be down on purpose.
      provider: createSimulatedPaymentProvider({
        store: createMemoryKeyValueStore(),
        secret: paymentsWebhookSecret,
        delayMs: 50,
        deliver: async ({ headers, body }) => {
          const res = await fetch(`http://127.0.0.1:${portOf(payments)}/webhooks/payments`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
          await res.arrayBuffer();
          return { status: res.status };
        },
      }),
    },
  );
  await payments.app.listen({ port: 0, host: '127.0.0.1' });
  const bffEnv = {
    ...process.env,
    IDENTITY_URL: `${identityBase}/graphql`,
    BANKING_URL: `http://127.0.0.1:${portOf(banking)}/graphql`,
    KYC_URL: `http://127.0.0.1:${kycPort}/graphql`,
    PAYMENTS_URL: `http://127.0.0.1:${portOf(payments)}/graphql`,
    OBJECT_STORE_DIR: objectDir,
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
    kyc,
    payments,
    mailbox,
    web,
    mobile,
    db,
    async call(bff, query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
      if (options.cookie) Object.assign(headers, { cookie: options.cookie, host: WEB_HOST, origin: WEB_ORIGIN }, options.headers);
      const res = await servers[bff].app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables }, remoteAddress: options.remoteAddress });
      return { status: res.statusCode, headers: res.headers, ...(JSON.parse(res.body) as object) };
    },
    async webLogin(email, password) {
      const res = await web.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN },
        payload: { email, password },
      });
      if (res.statusCode !== 200) throw new Error(`web sign-in failed: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name.endsWith('meridian-session'));
      if (!cookie) throw new Error('web sign-in set no session cookie');
      return `${cookie.name}=${cookie.value}`;
    },
    async close() {
      await mobile.close();
      await web.close();
      await payments.close();
      await kyc.close();
      await banking.close();
      await identity.close();
      await db.drop();
      fs.rmSync(objectDir, { recursive: true, force: true });
    },
  };
}
