import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  createDevMailbox,
  createKeySet,
  createMemoryKeyValueStore,
  generatePrivateJwk,
  issueAccessToken,
  localKeyResolver,
  SERVICE_TOKEN_HEADER,
  uploadKey,
  uuidv7,
  type DevMailbox,
  type KeySet,
  type Role,
} from '@meridian/platform';
import { scopesFor } from '@meridian/identity';
import { createTestDatabase, createTestServiceKeys, type TestDatabase, type TestServiceKeys } from '@meridian/platform/testing';
import { createKycServer, loadKycConfig, PROVIDER_WEBHOOK_ROUTE, type KycConfig, type KycServer, type KycServerDeps } from '../../src';
import { createSimulatedProvider, type SimulatedProvider } from '../../src/providers';

/** A GraphQL response as the tests read it. */
export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** A signed-in user as the tests use them. */
export interface TestUser {
  id: string;
  token: string;
}

// Real file heads (and a little more), as uploads have them.
export const PNG = Buffer.concat([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'), randomBytes(3_000)]);
export const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), randomBytes(3_000), Buffer.from('ffd9', 'hex')]);
export const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1_000), Buffer.from('\n%%EOF\n')]);

/** KYC on a database and object store of its own, called in-process; the simulated provider's webhooks come back through `app.inject`. */
export interface KycHarness {
  server: KycServer;
  config: KycConfig;
  db: TestDatabase;
  mailbox: DevMailbox;
  objectDir: string;
  userKeys: KeySet;
  serviceKeys: TestServiceKeys;
  /**
   * A new user with a valid access token (customer unless roles say otherwise); with `mfa`, the token of a
   * session that gave a second factor just now (as after `stepUp`), which revealing personal data needs.
   */
  user(roles?: Role[], options?: { mfa?: boolean }): Promise<TestUser>;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { user?: TestUser; serviceToken?: string | null }): Promise<GqlResponse<T>>;
  /** Stores a file as `POST /uploads` would (owner, expiry) and answers its upload id. */
  upload(owner: TestUser, content: Buffer, contentType: string, options?: { expiresAt?: Date }): Promise<string>;
  /** The latest code the dev mailbox holds for `phone`. */
  latestCode(phone: string): Promise<string>;
  /** Waits until the case is in one of `states` (the provider answers asynchronously). */
  waitForCase(caseId: string, states: string[], timeoutMs?: number): Promise<string>;
  /** The secret this server's provider webhooks are signed with. */
  webhookSecret(): string;
  /** A simulated provider that answers this server over its webhook route. */
  simulatedProvider(): SimulatedProvider;
  /** Calls a route with a service token as `caller` (null: none). */
  inject(method: 'GET' | 'POST', url: string, options?: { caller?: string | null; user?: TestUser; headers?: Record<string, string>; payload?: string }): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts KYC for one test file. */
export async function startKyc(env: Record<string, string> = {}, deps: Partial<KycServerDeps> = {}): Promise<KycHarness> {
  const db = await createTestDatabase();
  const serviceKeys = await createTestServiceKeys();
  const objectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-kyc-'));
  const config = loadKycConfig({ ...process.env, MIGRATE_ON_START: 'true', OBJECT_STORE_DIR: objectDir, ...serviceKeys.env(), ...env });
  const userKeys = await createKeySet([await generatePrivateJwk()]);
  const mailbox = createDevMailbox({ kv: createMemoryKeyValueStore() });
  let server: KycServer | undefined;
  server = await createKycServer(config, {
    databaseUrl: db.url,
    accessTokenKeys: localKeyResolver(userKeys.jwks()),
    notifier: mailbox,
    providerDelayMs: 5,
    // The provider calls back as a provider would, over the webhook route.
    deliverWebhook: async ({ headers, body }) => {
      if (!server) return { status: 503 };
      const res = await server.app.inject({ method: 'POST', url: PROVIDER_WEBHOOK_ROUTE, headers: { 'content-type': 'application/json', ...headers }, payload: body });
      return { status: res.statusCode };
    },
    ...deps,
  });
  const live = server;
  const webhookSecret = () => (JSON.parse(fs.readFileSync(path.join(config.DATA_DIR, 'keys', 'kyc-webhook-secrets.json'), 'utf8')) as string[])[0];
  const serviceToken = serviceKeys.issuerFor('gateway');

  return {
    server: live,
    config,
    db,
    mailbox,
    objectDir,
    userKeys,
    serviceKeys,
    async user(roles = ['CUSTOMER'], options = {}) {
      const id = randomUUID();
      const { token } = await issueAccessToken(
        userKeys,
        { issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE },
        { userId: id, sessionId: randomUUID(), roles, scopes: scopesFor(roles), ttlSeconds: 600, ...(options.mfa ? { amr: ['pwd', 'otp', 'mfa'] } : {}) },
      );
      return { id, token };
    },
    async gql(query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.serviceToken !== null) headers[SERVICE_TOKEN_HEADER] = options.serviceToken ?? (await serviceToken('kyc'));
      if (options.user) headers.authorization = `Bearer ${options.user.token}`;
      const res = await live.app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
      return { status: res.statusCode, ...(JSON.parse(res.body) as object) };
    },
    async upload(owner, content, contentType, options = {}) {
      const uploadId = uuidv7();
      const expiresAt = (options.expiresAt ?? new Date(Date.now() + 3_600_000)).toISOString();
      await live.objectStore.put(uploadKey(uploadId), Readable.from([content]), { contentType, ownerId: owner.id, labels: { expiresAt } });
      return uploadId;
    },
    async latestCode(phone) {
      const message = await mailbox.latest(phone, 'kyc.phone_code');
      if (!message?.data?.code) throw new Error(`No code was sent to ${phone}`);
      return message.data.code;
    },
    async waitForCase(caseId, states, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = (await live.dataSource.query(`SELECT state FROM kyc.cases WHERE id = $1`, [caseId])) as { state: string }[];
        if (row && states.includes(row.state)) return row.state;
        if (Date.now() > deadline) throw new Error(`Case ${caseId} is ${row?.state}, not ${states.join(' or ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    webhookSecret,
    simulatedProvider() {
      return createSimulatedProvider({
        secret: webhookSecret(),
        delayMs: 5,
        deliver: async ({ headers, body }) => {
          const res = await live.app.inject({ method: 'POST', url: PROVIDER_WEBHOOK_ROUTE, headers: { 'content-type': 'application/json', ...headers }, payload: body });
          return { status: res.statusCode };
        },
      });
    },
    async inject(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const caller = options.caller === undefined ? 'gateway' : options.caller;
      if (caller !== null) headers[SERVICE_TOKEN_HEADER] = await serviceKeys.issuerFor(caller)('kyc');
      if (options.user) headers.authorization = `Bearer ${options.user.token}`;
      const res = await live.app.inject({ method, url, headers, payload: options.payload });
      return { status: res.statusCode, body: res.body, headers: res.headers };
    },
    async count(table) {
      const rows = (await live.dataSource.query(`SELECT count(*)::int AS n FROM kyc.${table}`)) as { n: number }[];
      return rows[0].n;
    },
    async close() {
      await live.close();
      await db.drop();
      fs.rmSync(objectDir, { recursive: true, force: true });
    },
  };
}

export const START = /* GraphQL */ `
  mutation Start($tier: KycTier) { startVerification(input: { targetTier: $tier }) { id state targetTier } }
`;
export const UPDATE_PROFILE = /* GraphQL */ `
  mutation Update($input: UpdateKycProfileInput!) {
    updateKycProfile(input: $input) { legalName { value status source } dateOfBirth { value status } nationality { value } address { line1 city postalCode country status } taxId { value } }
  }
`;
export const REQUEST_CODE = /* GraphQL */ `mutation Req($phone: String!) { requestPhoneCode(phone: $phone) { phone expiresAt resendAfter } }`;
export const VERIFY_CODE = /* GraphQL */ `mutation Ver($code: String!) { verifyPhoneCode(code: $code) { phone { value status source } } }`;
export const ATTACH = /* GraphQL */ `
  mutation Attach($input: UploadKycDocumentInput!) { uploadKycDocument(input: $input) { id kind contentType size uploadedAt } }
`;
export const SUBMIT = /* GraphQL */ `mutation Submit($id: ID!) { submitVerification(caseId: $id) { id state } }`;
export const MY_KYC = /* GraphQL */ `
  query My($id: ID!) {
    _entities(representations: [{ __typename: "User", id: $id }]) {
      ... on User { kyc { tier status nextSteps limits { tier singlePayment daily monthly currency } profile { legalName { value status source } phone { value status } }
        currentCase { id state targetTier customerMessage documents { id kind } history { from to actorType reason } } } }
    }
  }
`;
/** Why the tests' officers read: every staff read is audited with a reason. */
export const REVIEW_REASON = 'Reviewing the case under the KYC procedure';
export const QUEUE = /* GraphQL */ `
  query Queue($first: Int, $after: String, $reason: String!) {
    kycReviewQueue(first: $first, after: $after, reason: $reason) { edges { cursor node { id state targetTier reviewReasons screening { outcome matches { listEntryId listedName score reasons } } subject(reason: $reason) { userId profile { legalName { value } } } } } pageInfo { hasNextPage endCursor } }
  }
`;
export const CASE = /* GraphQL */ `
  query Case($id: ID!, $reveal: Boolean, $reason: String!) {
    kycCase(id: $id, reason: $reason) { id state targetTier reviewReasons pendingDecision { decision officerId reason } checks { kind outcome reasons }
      screening { outcome listVersion matches { listEntryId listedName matchedName score reasons } }
      subject(reveal: $reveal, reason: $reason) { userId tier profile { legalName { value } dateOfBirth { value } taxId { value } address { line1 postalCode } } } }
  }
`;
export const DECIDE = /* GraphQL */ `
  mutation Decide($input: DecideKycCaseInput!) { decideKycCase(input: $input) { id state customerMessage pendingDecision { decision officerId reason } } }
`;

/** Valid personal data; `legalName` decides what the simulated provider answers. */
export function profileInput(overrides: Record<string, unknown> = {}) {
  return {
    legalName: 'Alice Example',
    dateOfBirth: '1988-06-15',
    nationality: 'GB',
    address: { line1: '10 Downing Lane', city: 'Leeds', postalCode: 'LS1 4AP', country: 'GB' },
    taxId: `AB${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}C`,
    ...overrides,
  };
}

let phoneCounter = 100_000;
/** A fresh valid UK mobile number. */
export const newPhone = () => `+447911${String(phoneCounter++).padStart(6, '0')}`;

/**
 * Takes a customer through profile, phone and (for TIER_2) documents to a
 * submitted case; answers the case id.
 */
export async function prepareCase(h: KycHarness, user: TestUser, tier: 'TIER_1' | 'TIER_2', profile: Record<string, unknown> = {}): Promise<string> {
  const started = await h.gql(START, { tier }, { user });
  if (started.errors) throw new Error(JSON.stringify(started.errors));
  const caseId = started.data!.startVerification.id as string;
  const updated = await h.gql(UPDATE_PROFILE, { input: profileInput(profile) }, { user });
  if (updated.errors) throw new Error(JSON.stringify(updated.errors));
  const phone = newPhone();
  const requested = await h.gql(REQUEST_CODE, { phone }, { user });
  if (requested.errors) throw new Error(JSON.stringify(requested.errors));
  const verified = await h.gql(VERIFY_CODE, { code: await h.latestCode(phone) }, { user });
  if (verified.errors) throw new Error(JSON.stringify(verified.errors));
  if (tier === 'TIER_2') {
    for (const [kind, file, type] of [['PASSPORT', PDF, 'application/pdf'], ['SELFIE', JPEG, 'image/jpeg']] as const) {
      const res = await h.gql(ATTACH, { input: { caseId, uploadId: await h.upload(user, file, type), kind } }, { user });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    }
  }
  return caseId;
}
