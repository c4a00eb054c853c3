import fs from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { readSupergraphConfig } from '@meridian/supergraph';
import { roleScopes, scopesFor } from '@meridian/identity';
import {
  createServiceTokenIssuer,
  decideScopes,
  fieldRequirement,
  loadBaseConfig,
  loadServiceSigningKeys,
  readScopeDirectives,
  SERVICE_TOKEN_HEADER,
  type MeridianServer,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { parse } from 'graphql';
import { operationFor, refusedFields } from '../helpers/scope-sweep';
import { startStack, type GqlResult, type Stack } from '../helpers/stack';

// Roles become scopes, and the schema's @requiresScopes hold in every subgraph on
// its own: a customer token is refused every staff field by a subgraph called
// directly (no BFF in front), a staff token never moves money, and staff read a
// customer only through identity's audited lookup, with a reason.

const password = 'a long and unusual passphrase';
const origin = { ip: '203.0.113.70', userAgent: 'jest', requestId: 'staff-scopes' };
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`;
const SEND = `mutation E($t: String!) { sendSignInCode(mfaToken: $t, channel: EMAIL) { channel } }`;
const COMPLETE = `mutation S($t: String!, $c: String!, $d: String) { completeSignIn(mfaToken: $t, method: EMAIL, code: $c, deviceId: $d) { accessToken refreshToken } }`;

/** The subgraphs this stack runs; a subgraph with staff fields must be one of them. */
const RUNNING = ['identity', 'banking', 'kyc', 'payments'] as const;

let stack: Stack;
let gateway: ServiceTokenIssuer;
let n = 0;

beforeAll(async () => {
  stack = await startStack();
  // The tests call subgraphs as the gateway would, with its (development) service key.
  gateway = createServiceTokenIssuer({ service: 'gateway', keys: await loadServiceSigningKeys(loadBaseConfig(), 'gateway') });
});
afterAll(() => stack?.close());

/** Someone with these roles, signed in through the mobile BFF (a second factor from the mailbox when asked). */
async function person(roles: ('CUSTOMER' | 'SUPPORT' | 'COMPLIANCE' | 'ADMIN')[] = ['CUSTOMER']) {
  n += 1;
  const email = `scopes${n}.${Date.now()}@example.com`;
  const user = await stack.identity.accounts.register({ email, password, displayName: `Person ${n}` }, origin, roles);
  const remoteAddress = `10.88.0.${n}`;
  const deviceId = `scopes-device-${n}`;
  const res = await stack.call('mobile', LOGIN, { input: { email, password, deviceId } }, { remoteAddress });
  let session = res.data?.login as { accessToken: string; refreshToken: string } | undefined;
  if (res.errors?.[0].extensions?.code === 'MFA_REQUIRED') {
    const mfaToken = res.errors[0].extensions.mfaToken as string;
    expect((await stack.call('mobile', SEND, { t: mfaToken }, { remoteAddress })).errors).toBeUndefined();
    const code = (await stack.latestMail(email, 'identity.sign_in_code'))!.data!.code;
    session = (await stack.call('mobile', COMPLETE, { t: mfaToken, c: code, d: deviceId }, { remoteAddress })).data!.completeSignIn;
  }
  expect(session?.accessToken).toBeDefined();
  return { id: user.id, email, deviceId, token: session!.accessToken, refreshToken: session!.refreshToken };
}

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** POSTs straight to a subgraph with the gateway's service token and the user's access token: no BFF in front. */
async function direct(subgraph: (typeof RUNNING)[number], query: string, token: string): Promise<GqlResult> {
  const res = await fetch(`http://127.0.0.1:${portOf(stack[subgraph])}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await gateway(subgraph), authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, headers: {}, ...((await res.json()) as object) };
}

const subgraphs = readSupergraphConfig().map((entry) => {
  const typeDefs = parse(fs.readFileSync(entry.schemaFile, 'utf8'));
  return { name: entry.name, schema: buildSubgraphSchema({ typeDefs }), directives: readScopeDirectives(typeDefs) };
});

describe('a subgraph called directly, without the BFF', () => {
  it('refuses a customer token every staff field of its own schema, naming it', async () => {
    const customer = await person();
    // A field below the root needs a parent the customer may see: their own verification case.
    const ownCase = (await direct('kyc', `mutation { startVerification { id } }`, customer.token)).data!.startVerification.id as string;
    const parents: Record<string, Record<string, Record<string, unknown>>> = { KycCase: { 'Query.kycCase': { id: ownCase } } };
    let checked = 0;
    for (const { name, schema, directives } of subgraphs) {
      const staffFields = refusedFields(schema, directives, scopesFor(['CUSTOMER']));
      if (!RUNNING.includes(name as (typeof RUNNING)[number])) {
        // Start the subgraph in this stack when it gains a staff field.
        expect({ name, staffFields }).toEqual({ name, staffFields: [] });
        continue;
      }
      for (const coordinate of staffFields) {
        const [typeName] = coordinate.split('.');
        const root = typeName === 'Query' || typeName === 'Mutation';
        // A new parent type of staff fields needs a fixture above.
        expect({ coordinate, fixture: root || typeName in parents }).toEqual({ coordinate, fixture: true });
        const res = await direct(name as (typeof RUNNING)[number], operationFor(schema, coordinate, root ? {} : parents[typeName]), customer.token);
        const refusal = res.errors?.find((e) => (e.extensions?.fields as string[] | undefined)?.includes(coordinate));
        expect({ coordinate, code: refusal?.extensions?.code }).toEqual({ coordinate, code: 'FORBIDDEN' });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(17);
  });

  it('refuses a staff token every mutation of banking and payments (money never moves by a staff token)', async () => {
    const support = await person(['SUPPORT']);
    for (const name of ['banking', 'payments'] as const) {
      const { schema, directives } = subgraphs.find((s) => s.name === name)!;
      const mutations = Object.keys(schema.getMutationType()!.getFields()).filter((field) => {
        const requirement = fieldRequirement(directives, schema.getMutationType()!, field);
        return decideScopes(requirement, { scopes: roleScopes(['SUPPORT']) }) !== 'ALLOWED';
      });
      expect(mutations.length).toBe(Object.keys(schema.getMutationType()!.getFields()).length);
      for (const field of mutations) {
        const res = await direct(name, operationFor(schema, `Mutation.${field}`), support.token);
        expect({ field, code: res.errors?.[0].extensions?.code }).toEqual({ field, code: 'FORBIDDEN' });
      }
    }
  });
});

describe('roles and scopes', () => {
  it('give no staff role a scope that moves money or reads a customer’s data but through the audited lookup', () => {
    for (const role of ['SUPPORT', 'COMPLIANCE', 'ADMIN'] as const) {
      const scopes = roleScopes([role]);
      expect(scopes.filter((s) => /^(accounts|payments|kyc|insights):(read|write)$/.test(s))).toEqual([]);
      for (const { name, schema, directives } of subgraphs) {
        if (name !== 'banking' && name !== 'payments') continue;
        const allowed = Object.keys(schema.getMutationType()!.getFields()).filter(
          (field) => decideScopes(fieldRequirement(directives, schema.getMutationType()!, field), { scopes }) === 'ALLOWED',
        );
        // Approving or rejecting a held payment releases or voids the customer's own hold: a review, not a payment.
        expect({ role, name, allowed }).toEqual({ role, name, allowed: name === 'payments' && role !== 'SUPPORT' ? ['decidePayment'] : [] });
      }
    }
  });
});

describe('staff reads through the BFF', () => {
  it('lets support read a customer and their accounts only with a reason, each read audited under one request id', async () => {
    const customer = await person();
    const account = await stack.banking.accounts.openAccount({ ownerId: customer.id, type: 'CURRENT', currency: 'GBP' });
    const support = await person(['SUPPORT']);
    const READ = `query R($id: ID!, $reason: String!) { customer(id: $id, reason: $reason) { id email accounts { id number } } }`;
    const requestId = `staff-read-${Date.now()}`;
    const res = await stack.call('web', READ, { id: customer.id, reason: 'Ticket 881: missing transfer' }, { accessToken: support.token, headers: { 'x-request-id': requestId } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer).toEqual({ id: customer.id, email: customer.email, accounts: [{ id: account.id, number: account.number }] });
    const [read] = await stack.identity.dataSource.query(`SELECT details, request_id FROM identity.audit_events WHERE type = 'STAFF_READ' AND user_id = $1`, [customer.id]);
    expect(read).toMatchObject({ request_id: requestId, details: { actorId: support.id, reason: 'Ticket 881: missing transfer', found: true } });
    const banked = await stack.banking.dataSource.query(`SELECT staff_user_id, account_id, operation, request_id FROM banking.access_audit WHERE staff_user_id = $1`, [support.id]);
    expect(banked).toEqual([{ staff_user_id: support.id, account_id: account.id, operation: 'User.accounts', request_id: requestId }]);

    // Without a reason nothing is read: refused by validation, or by identity for a blank one before banking is asked.
    const noReason = await stack.call('web', `query R($id: ID!) { customer(id: $id) { id accounts { id } } }`, { id: customer.id }, { accessToken: support.token });
    expect(noReason.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const blank = await stack.call('web', READ, { id: customer.id, reason: '   ' }, { accessToken: support.token });
    expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(await stack.banking.dataSource.query(`SELECT count(*)::int AS n FROM banking.access_audit WHERE staff_user_id = $1`, [support.id])).toEqual([{ n: 1 }]);

    // The customer's account by id is a customer's field: staff are refused before any subgraph reads it.
    const byId = await stack.call('web', `query A($id: ID!) { account(id: $id) { id } }`, { id: account.id }, { accessToken: support.token });
    expect(byId.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', fields: ['Query.account'] });
  });

  it('locks a customer out through the BFF: every session ends at once and is audited', async () => {
    const customer = await person();
    const support = await person(['SUPPORT']);
    const LOCK = `mutation K($id: ID!, $reason: String!) { lockUser(userId: $id, reason: $reason) { status } }`;
    const locked = await stack.call('web', LOCK, { id: customer.id, reason: 'Suspected account takeover' }, { accessToken: support.token });
    expect(locked.data).toEqual({ lockUser: { status: 'LOCKED' } });
    const refresh = await stack.call('mobile', `mutation F($t: String!, $d: String) { refreshSession(refreshToken: $t, deviceId: $d) { accessToken } }`, {
      t: customer.refreshToken,
      d: customer.deviceId,
    }, { remoteAddress: '10.88.1.1' });
    expect(refresh.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const [entry] = await stack.identity.dataSource.query(`SELECT details FROM identity.audit_events WHERE type = 'USER_LOCKED' AND user_id = $1`, [customer.id]);
    expect(entry.details).toMatchObject({ actorId: support.id, reason: 'Suspected account takeover', sessionsEnded: 1 });
  });
});
