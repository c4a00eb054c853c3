import {
  createDevMailbox,
  createMemoryKeyValueStore,
  SERVICE_TOKEN_HEADER,
  type DevMailbox,
  type SentNotification,
  type ServiceTokenIssuer,
} from '@meridian/platform';
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
  /** What identity sent, unless the test gave a notifier of its own. */
  mailbox: DevMailbox;
  /** The newest message of `template` to `to`, once identity's queued emails went out. */
  latestMail(to: string, template: string): Promise<SentNotification | undefined>;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { accessToken?: string; headers?: Record<string, string>; serviceToken?: string | null },
  ): Promise<GqlResponse<T>>;
  count(table: string): Promise<number>;
  /**
   * Signs in through `login` and, when a second factor is asked for (staff, or an authenticator app set up),
   * finishes with the code identity emails for it, as a user would; answers the session's tokens.
   */
  signIn(email: string, password: string, deviceId?: string): Promise<{ accessToken: string; refreshToken: string; user: { id: string } }>;
  /** Steps a session up with an emailed code (requestStepUpCode, the dev mailbox, stepUp); answers the new tokens. */
  stepUp(accessToken: string, email: string): Promise<{ accessToken: string; refreshToken: string }>;
  /** The id of the user with this email (`register` does not say it); throws when there is none. */
  idOf(email: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts identity for one test file. */
export async function startIdentity(env: Record<string, string> = {}, deps: Partial<IdentityServerDeps> = {}): Promise<IdentityHarness> {
  const db = await createTestDatabase();
  const serviceKeys = await createTestServiceKeys();
  const config = loadIdentityConfig({ ...process.env, MIGRATE_ON_START: 'true', ...serviceKeys.env(), ...env });
  const mailbox = createDevMailbox({ kv: createMemoryKeyValueStore() });
  const server = await createIdentityServer(config, { databaseUrl: db.url, notifier: mailbox, ...deps });
  const serviceToken = serviceKeys.issuerFor('gateway');
  return {
    server,
    config,
    db,
    serviceToken,
    serviceKeys,
    mailbox,
    async latestMail(to, template) {
      await server.mail.settled();
      return mailbox.latest(to, template);
    },
    async gql(query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.serviceToken !== null) headers[SERVICE_TOKEN_HEADER] = options.serviceToken ?? (await serviceToken('identity'));
      if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
      const res = await server.app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
      return { status: res.statusCode, ...(JSON.parse(res.body) as object) };
    },
    async signIn(this: IdentityHarness, email, password, deviceId) {
      const first = await this.gql(LOGIN, { input: { email, password, deviceId } });
      if (first.errors?.[0]?.extensions?.code !== 'MFA_REQUIRED') {
        if (!first.data?.login) throw new Error(`sign-in failed: ${JSON.stringify(first.errors)}`);
        return first.data.login;
      }
      const mfaToken = first.errors[0].extensions.mfaToken as string;
      const sent = await this.gql(`mutation S($t: String!) { sendSignInCode(mfaToken: $t, channel: EMAIL) { channel } }`, { t: mfaToken });
      if (sent.errors) throw new Error(`sending a sign-in code failed: ${JSON.stringify(sent.errors)}`);
      const code = (await mailbox.latest(email, 'identity.sign_in_code'))!.data!.code;
      const done = await this.gql(
        `mutation C($t: String!, $c: String!, $d: String) { completeSignIn(mfaToken: $t, method: EMAIL, code: $c, deviceId: $d) { accessToken expiresAt refreshToken refreshExpiresAt user { id email } } }`,
        { t: mfaToken, c: code, d: deviceId },
      );
      if (!done.data?.completeSignIn) throw new Error(`completing the sign-in failed: ${JSON.stringify(done.errors)}`);
      return done.data.completeSignIn;
    },
    async stepUp(this: IdentityHarness, accessToken, email) {
      const sent = await this.gql(`mutation { requestStepUpCode(channel: EMAIL) { channel } }`, {}, { accessToken });
      if (sent.errors) throw new Error(`asking for a step-up code failed: ${JSON.stringify(sent.errors)}`);
      const code = (await mailbox.latest(email, 'identity.step_up_code'))!.data!.code;
      const done = await this.gql(`mutation U($c: String!) { stepUp(method: EMAIL, code: $c) { accessToken refreshToken } }`, { c: code }, { accessToken });
      if (!done.data?.stepUp) throw new Error(`stepping up failed: ${JSON.stringify(done.errors)}`);
      return done.data.stepUp;
    },
    async count(table) {
      const rows = (await server.dataSource.query(`SELECT count(*)::int AS n FROM identity.${table}`)) as { n: number }[];
      return rows[0].n;
    },
    async idOf(email) {
      const user = await server.accounts.findByEmail(email);
      if (!user) throw new Error(`no user has the email ${email}`);
      return user.id;
    },
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) { email verificationSent }
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
