import { createBankingServer, loadBankingConfig, type BankingServer } from '@meridian/banking';
import { createResponseCache } from '@meridian/bff-core';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';
import { createWebBffServer, loadWebBffConfig } from '@meridian/bff-web';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createIdentityServer, loadIdentityConfig, type IdentityServer } from '@meridian/identity';
import { createKycServer, loadKycConfig, PROVIDER_WEBHOOK_ROUTE, type KycServer } from '@meridian/kyc';
import { createPaymentsServer, createSimulatedPaymentProvider, loadPaymentsConfig, type PaymentsServer } from '@meridian/payments';
import {
  createDevMailbox,
  createMemoryKeyValueStore,
  createMemorySessionRevocations,
  generateWebhookSecret,
  createMemoryEventBus,
  type DevMailbox,
  type MeridianServer,
  type SessionRevocations,
  type SentNotification,
} from '@meridian/platform';
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
  /** What identity (emails) and KYC (phone codes) sent, as the development mailbox keeps it. */
  mailbox: DevMailbox;
  /**
   * The newest message of `template` sent to `to` after identity's queued emails went out
   * (identity sends them after answering); undefined when there is none.
   */
  latestMail(to: string, template: string): Promise<SentNotification | undefined>;
  /** The id of the user registered with `email` (`register` answers the same for every address, without an id). */
  userIdOf(email: string): Promise<string>;
  /** Money in from outside: `minor` pounds' pence from GBP clearing to `accountId` (code SALARY unless given). */
  deposit(accountId: string, minor: bigint, options?: { code?: string; description?: string }): Promise<void>;
  web: MeridianServer;
  mobile: MeridianServer;
  /**
   * The list of ended sessions every server shares without Redis, as `npm start` does; undefined with
   * REDIS_URL, where each server reads Redis on its own, as separate processes would.
   */
  revocations?: SessionRevocations;
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
   * origin; when a second factor is asked for, as for staff, the code identity
   * emails through POST /auth/mfa) and returns the `name=value` of the session cookie to send back.
   */
  webLogin(email: string, password: string): Promise<string>;
  /**
   * Steps a mobile session up as the app does when an operation answers STEP_UP_REQUIRED: an emailed
   * code (`requestStepUpCode`, read from the dev mailbox), then `stepUp`. Answers the new token pair.
   */
  stepUp(accessToken: string, email: string): Promise<{ accessToken: string; refreshToken: string }>;
  /** Steps the web session of `cookie` up with an emailed code (`requestStepUpCode`, then POST /auth/step-up). */
  webStepUp(cookie: string, email: string): Promise<void>;
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
  // One development mailbox for every server that sends: identity's emails and KYC's phone codes.
  const mailbox = createDevMailbox({ kv: createMemoryKeyValueStore() });
  const revocations = (env.REDIS_URL ?? process.env.REDIS_URL) ? undefined : createMemorySessionRevocations();
  // Embedded, one bus and one response-cache store for every server, as the embedded starter
  // wires them; on Redis each server opens its own, as in a deployment.
  const embedded = !(env.REDIS_URL ?? process.env.REDIS_URL);
  const eventBus = embedded ? createMemoryEventBus() : undefined;
  const responseCache = embedded ? createResponseCache({ store: createMemoryKeyValueStore(), maxAgeSeconds: 60 }) : undefined;
  const identity = await createIdentityServer(loadIdentityConfig({ ...process.env, MIGRATE_ON_START: 'true', ...env }), {
    databaseUrl: db.url,
    notifier: mailbox,
    revocations,
  });
  await identity.app.listen({ port: 0, host: '127.0.0.1' });
  const identityBase = `http://127.0.0.1:${portOf(identity)}`;
  // Banking verifies user tokens against the identity this stack started, as it would in a deployment.
  const banking = await createBankingServer(
    loadBankingConfig({ ...process.env, MIGRATE_ON_START: 'true', IDENTITY_JWKS_URL: `${identityBase}/.well-known/jwks.json`, ...env }),
    { databaseUrl: db.url, revocations, eventBus },
  );
  await banking.app.listen({ port: 0, host: '127.0.0.1' });
  // Uploads from the BFFs and KYC's documents share one encrypted object store, as in a deployment.
  const objectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-stack-objects-'));
  let kycPort = 0;
  const kyc = await createKycServer(
    loadKycConfig({ ...process.env, MIGRATE_ON_START: 'true', IDENTITY_JWKS_URL: `${identityBase}/.well-known/jwks.json`, OBJECT_STORE_DIR: objectDir, ...env }),
    {
      databaseUrl: db.url,
      notifier: mailbox,
      revocations,
      eventBus,
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
      revocations,
      eventBus,
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
  const web = await createWebBffServer(loadWebBffConfig(bffEnv), { revocations, responseCache, eventBus });
  const mobile = await createMobileBffServer(loadMobileBffConfig(bffEnv), { revocations, responseCache, eventBus });
  const servers = { web, mobile };
  return {
    identity,
    banking,
    kyc,
    payments,
    mailbox,
    async latestMail(to, template) {
      await identity.mail.settled();
      return mailbox.latest(to, template);
    },
    async userIdOf(email) {
      const user = await identity.accounts.findByEmail(email);
      if (!user) throw new Error(`no user has the email ${email}`);
      return user.id;
    },
    web,
    mobile,
    revocations,
    db,
    async call(bff, query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
      if (options.cookie) Object.assign(headers, { cookie: options.cookie, host: WEB_HOST, origin: WEB_ORIGIN }, options.headers);
      const res = await servers[bff].app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables }, remoteAddress: options.remoteAddress });
      return { status: res.statusCode, headers: res.headers, ...(JSON.parse(res.body) as object) };
    },
    async webLogin(this: Stack, email, password) {
      const res = await web.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN },
        payload: { email, password },
      });
      let signedIn = res;
      // Staff (and users with an authenticator app) finish with a second factor: here the code identity emails.
      const challenge = res.statusCode === 401 ? (res.json().errors?.[0]?.extensions as { code?: string; mfaToken?: string } | undefined) : undefined;
      if (challenge?.code === 'MFA_REQUIRED') {
        const sent = await this.call('web', `mutation S($t: String!) { sendSignInCode(mfaToken: $t, channel: EMAIL) { channel } }`, { t: challenge.mfaToken });
        if (sent.errors) throw new Error(`sending a sign-in code failed: ${JSON.stringify(sent.errors)}`);
        const code = (await mailbox.latest(email, 'identity.sign_in_code'))!.data!.code;
        signedIn = await web.app.inject({
          method: 'POST',
          url: '/auth/mfa',
          headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN },
          payload: { mfaToken: challenge.mfaToken, method: 'EMAIL', code },
        });
      }
      if (signedIn.statusCode !== 200) throw new Error(`web sign-in failed: ${signedIn.statusCode} ${signedIn.body}`);
      const cookie = signedIn.cookies.find((c) => c.name.endsWith('meridian-session'));
      if (!cookie) throw new Error('web sign-in set no session cookie');
      return `${cookie.name}=${cookie.value}`;
    },
    async deposit(accountId, minor, options = {}) {
      const clearing = await banking.accounts.systemAccount('CLEARING', 'GBP');
      await banking.ledger.createTransfer({
        id: randomUUID(),
        code: options.code ?? 'SALARY',
        description: options.description,
        postings: [
          { accountId: clearing.id, direction: 'DEBIT', amount: minor, currency: 'GBP' },
          { accountId, direction: 'CREDIT', amount: minor, currency: 'GBP' },
        ],
      });
    },
    async stepUp(this: Stack, accessToken, email) {
      const sent = await this.call('mobile', `mutation { requestStepUpCode(channel: EMAIL) { channel } }`, {}, { accessToken });
      if (sent.errors) throw new Error(`asking for a step-up code failed: ${JSON.stringify(sent.errors)}`);
      const code = (await mailbox.latest(email, 'identity.step_up_code'))!.data!.code;
      const done = await this.call('mobile', `mutation U($c: String!) { stepUp(method: EMAIL, code: $c) { accessToken refreshToken } }`, { c: code }, { accessToken });
      if (!done.data?.stepUp) throw new Error(`stepping up failed: ${JSON.stringify(done.errors)}`);
      return done.data.stepUp as { accessToken: string; refreshToken: string };
    },
    async webStepUp(this: Stack, cookie, email) {
      const sent = await this.call('web', `mutation { requestStepUpCode(channel: EMAIL) { channel } }`, {}, { cookie });
      if (sent.errors) throw new Error(`asking for a step-up code failed: ${JSON.stringify(sent.errors)}`);
      const code = (await mailbox.latest(email, 'identity.step_up_code'))!.data!.code;
      const res = await web.app.inject({
        method: 'POST',
        url: '/auth/step-up',
        headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN, cookie },
        payload: { method: 'EMAIL', code },
      });
      if (res.statusCode !== 200) throw new Error(`web step-up failed: ${res.statusCode} ${res.body}`);
    },
    async close() {
      await mobile.close();
      await web.close();
      await payments.close();
      await kyc.close();
      await banking.close();
      await identity.close();
      await revocations?.close();
      await eventBus?.close();
      await db.drop();
      fs.rmSync(objectDir, { recursive: true, force: true });
    },
  };
}
