import { decodeJwt } from 'jose';
import { scopesFor } from '../../src';
import { StaffService } from '../../src/services/staff-service';
import { startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// Staff management, staff locks and audited staff reads inside identity: who may
// call them (the schema's scopes, enforced by identity itself), what they change,
// and what the audit log keeps.

const PASSWORD = 'correct horse battery staple';
const ORIGIN = { ip: '127.0.0.1', userAgent: 'jest', requestId: 'staff-test' };
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`;
const SEND = `mutation E($t: String!) { sendSignInCode(mfaToken: $t, channel: EMAIL) { channel } }`;
const COMPLETE = `mutation S($t: String!, $c: String!) { completeSignIn(mfaToken: $t, method: EMAIL, code: $c) { accessToken refreshToken } }`;
const REFRESH = `mutation F($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`;
const ME = `query { me { id roles status } }`;
const CREATE = `mutation C($input: CreateStaffInput!) { createStaff(input: $input) { id email displayName roles status } }`;
const SET_ROLES = `mutation R($id: ID!, $roles: [Role!]!) { setRoles(userId: $id, roles: $roles) { id roles } }`;
const LOCK = `mutation K($id: ID!, $reason: String!) { lockUser(userId: $id, reason: $reason) { id status } }`;
const UNLOCK = `mutation U($id: ID!, $reason: String!) { unlockUser(userId: $id, reason: $reason) { id status } }`;
const CUSTOMER = `query Q($id: ID!, $reason: String!) { customer(id: $id, reason: $reason) { id email displayName ... on User { phone } } }`;
const BY_EMAIL = `query Q($email: String!, $reason: String!) { customerByEmail(email: $email, reason: $reason) { id } }`;
const MEMBERS = `query { staffMembers { id roles } }`;

type Role = 'CUSTOMER' | 'SUPPORT' | 'COMPLIANCE' | 'ADMIN';

let h: IdentityHarness;
let admin: { id: string; email: string; token: string };
beforeAll(async () => {
  h = await startIdentity();
  const created = await person(['ADMIN']);
  admin = { ...created, token: (await signIn(created.email)).accessToken };
});
afterAll(() => h.close());

let n = 0;
async function person(roles: Role[] = ['CUSTOMER']) {
  n += 1;
  const email = `staff${n}.${Date.now()}@example.com`;
  const user = await h.server.accounts.register({ email, password: PASSWORD, displayName: `Person ${n}`, phone: null }, ORIGIN, roles);
  return { id: user.id, email };
}

/** Signs in with the password and, when a second factor is asked for, the code emailed for it. */
async function signIn(email: string, password = PASSWORD): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await h.gql(LOGIN, { input: { email, password } });
  if (res.errors?.[0].extensions?.code !== 'MFA_REQUIRED') {
    expect(res.errors).toBeUndefined();
    return res.data!.login;
  }
  const mfaToken = res.errors[0].extensions.mfaToken as string;
  expect((await h.gql(SEND, { t: mfaToken })).errors).toBeUndefined();
  const code = (await h.latestMail(email, 'identity.sign_in_code'))!.data!.code;
  const done = await h.gql(COMPLETE, { t: mfaToken, c: code });
  expect(done.errors).toBeUndefined();
  return done.data!.completeSignIn;
}

async function audit(type: string, userId: string | null) {
  return (await h.server.dataSource.query(
    `SELECT user_id, request_id, details FROM identity.audit_events WHERE type = $1 AND user_id IS NOT DISTINCT FROM $2 ORDER BY id`,
    [type, userId],
  )) as { user_id: string | null; request_id: string; details: Record<string, any> }[];
}

const code = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0].extensions?.code;

describe('access tokens carry the scopes of the roles', () => {
  it('a customer gets the customer scopes and credentials:write; an administrator every staff scope and none of a customer’s', async () => {
    const customer = await person();
    const customerScopes = (decodeJwt((await signIn(customer.email)).accessToken).scope as string).split(' ');
    expect(customerScopes).toEqual(scopesFor(['CUSTOMER']));
    expect(customerScopes).toEqual(expect.arrayContaining(['accounts:write', 'payments:write', 'credentials:write']));
    expect(customerScopes).not.toContain('customers:read');
    const adminScopes = (decodeJwt(admin.token).scope as string).split(' ');
    expect(adminScopes).toEqual(expect.arrayContaining(['customers:read', 'customers:unlock', 'kyc:review', 'payments:review', 'staff:manage', 'credentials:write']));
    expect(adminScopes.filter((scope) => /^(accounts|payments|kyc|insights):(read|write)$/.test(scope))).toEqual([]);
  });
});

describe('createStaff', () => {
  it('is for administrators only: refused without a token, and to customers and support staff, changing nothing', async () => {
    const customer = await person();
    const support = await person(['SUPPORT']);
    const input = { email: `nobody.${Date.now()}@example.com`, displayName: 'Nobody', roles: ['SUPPORT'] };
    expect(code(await h.gql(CREATE, { input }))).toBe('UNAUTHENTICATED');
    for (const who of [customer, support]) {
      const res = await h.gql(CREATE, { input }, { accessToken: (await signIn(who.email)).accessToken });
      expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.createStaff'] });
    }
    expect(await h.server.accounts.findByEmail(input.email)).toBeNull();
  });

  it('adds a staff member without a usable password, sends them the email to choose one, and audits who did it', async () => {
    const email = `new.support.${Date.now()}@example.com`;
    const res = await h.gql(CREATE, { input: { email: ` ${email.toUpperCase()} `, displayName: 'New Support', roles: ['SUPPORT'] } }, { accessToken: admin.token });
    expect(res.errors).toBeUndefined();
    const created = res.data!.createStaff;
    expect(created).toMatchObject({ email, roles: ['SUPPORT'], status: 'ACTIVE' });
    // Nobody knows its password: the account cannot sign in until its owner chooses one.
    expect(code(await h.gql(LOGIN, { input: { email, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
    expect(await h.latestMail(email, 'identity.password_reset')).toBeDefined();
    const [entry] = await audit('STAFF_CREATED', created.id);
    expect(entry.details).toMatchObject({ actorId: admin.id, roles: ['SUPPORT'], invited: true });
  });

  it('refuses customer roles, no roles, and a taken email, adding nobody', async () => {
    const before = await h.count('users');
    const taken = await person();
    for (const [input, expected] of [
      [{ email: `a.${Date.now()}@example.com`, displayName: 'A', roles: ['CUSTOMER'] }, { code: 'BAD_USER_INPUT', field: 'roles' }],
      [{ email: `b.${Date.now()}@example.com`, displayName: 'B', roles: ['SUPPORT', 'CUSTOMER'] }, { code: 'BAD_USER_INPUT', field: 'roles', reason: 'STAFF_AND_CUSTOMER' }],
      [{ email: `c.${Date.now()}@example.com`, displayName: 'C', roles: [] }, { code: 'BAD_USER_INPUT', field: 'roles' }],
      [{ email: taken.email, displayName: 'D', roles: ['SUPPORT'] }, { code: 'CONFLICT', field: 'email' }],
    ] as const) {
      expect((await h.gql(CREATE, { input }, { accessToken: admin.token })).errors?.[0].extensions).toEqual(expected);
    }
    expect(await h.count('users')).toBe(before + 1);
  });
});

describe('setRoles', () => {
  it('changes the roles, ends every session of the user at once, and the next sign-in carries the new scopes', async () => {
    const agent = await person(['SUPPORT']);
    const session = await signIn(agent.email);
    expect(decodeJwt(session.accessToken).scope).toContain('customers:unlock');
    const res = await h.gql(SET_ROLES, { id: agent.id, roles: ['COMPLIANCE'] }, { accessToken: admin.token });
    expect(res.data!.setRoles).toEqual({ id: agent.id, roles: ['COMPLIANCE'] });
    // The old session is over: its refresh token is refused.
    expect(code(await h.gql(REFRESH, { t: session.refreshToken }))).toBe('UNAUTHENTICATED');
    const scopes = decodeJwt((await signIn(agent.email)).accessToken).scope as string;
    expect(scopes).toContain('kyc:review');
    expect(scopes).not.toContain('customers:unlock');
    const [entry] = await audit('ROLES_CHANGED', agent.id);
    expect(entry.details).toEqual({ actorId: admin.id, before: ['SUPPORT'], after: ['COMPLIANCE'], sessionsEnded: 1 });
    expect(entry.request_id).toBeTruthy();
  });

  it('never removes the last active administrator, and changes nothing when it refuses', async () => {
    const res = await h.gql(SET_ROLES, { id: admin.id, roles: ['SUPPORT'] }, { accessToken: admin.token });
    expect(res.errors?.[0].extensions).toEqual({ code: 'CONFLICT', reason: 'LAST_ADMIN' });
    expect((await h.gql(ME, {}, { accessToken: admin.token })).data!.me.roles).toEqual(['ADMIN']);
    expect(await audit('ROLES_CHANGED', admin.id)).toEqual([]);
  });

  it('leaves exactly one administrator when every administrator is demoted at once', async () => {
    await person(['ADMIN']);
    await person(['ADMIN']);
    const admins = async () =>
      ((await h.server.dataSource.query(`SELECT id FROM identity.users WHERE 'ADMIN' = ANY (roles) AND status = 'ACTIVE'`)) as { id: string }[]).map((r) => r.id);
    const before = await admins();
    expect(before.length).toBeGreaterThanOrEqual(3);
    // Straight at the service, all at once: each change locks the administrators' rows, so they queue.
    const staff = new StaffService(h.server.dataSource);
    const outcomes = await Promise.allSettled(before.map((id) => staff.setRoles(admin.id, id, ['SUPPORT'], ORIGIN)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(before.length - 1);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.map((o) => o.reason.extensions)).toEqual([{ code: 'CONFLICT', reason: 'LAST_ADMIN' }]);
    expect(await admins()).toHaveLength(1);
    // The suite's administrator again, for the tests that follow.
    await staff.setRoles(null, admin.id, ['ADMIN'], ORIGIN);
    admin.token = (await signIn(admin.email)).accessToken;
  });

  it('refuses an unknown user and mixed roles', async () => {
    expect(code(await h.gql(SET_ROLES, { id: '00000000-0000-7000-8000-000000000000', roles: ['SUPPORT'] }, { accessToken: admin.token }))).toBe('NOT_FOUND');
    const customer = await person();
    expect((await h.gql(SET_ROLES, { id: customer.id, roles: ['CUSTOMER', 'ADMIN'] }, { accessToken: admin.token })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'STAFF_AND_CUSTOMER',
    });
  });
});

describe('lockUser and unlockUser', () => {
  it('locks a customer out at once (sessions ended, sign-in refused) and lets them back in, both audited with the reason', async () => {
    const support = await person(['SUPPORT']);
    const supportToken = (await signIn(support.email)).accessToken;
    const customer = await person();
    const session = await signIn(customer.email);
    const locked = await h.gql(LOCK, { id: customer.id, reason: 'Card reported stolen, ticket 4411' }, { accessToken: supportToken });
    expect(locked.data!.lockUser).toEqual({ id: customer.id, status: 'LOCKED' });
    expect(code(await h.gql(REFRESH, { t: session.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(code(await h.gql(LOGIN, { input: { email: customer.email, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
    const [entry] = await audit('USER_LOCKED', customer.id);
    expect(entry.details).toEqual({ actorId: support.id, reason: 'Card reported stolen, ticket 4411', sessionsEnded: 1 });

    const unlocked = await h.gql(UNLOCK, { id: customer.id, reason: 'Customer verified by phone' }, { accessToken: supportToken });
    expect(unlocked.data!.unlockUser).toEqual({ id: customer.id, status: 'ACTIVE' });
    expect((await audit('USER_UNLOCKED', customer.id))[0].details).toEqual({ actorId: support.id, reason: 'Customer verified by phone' });
    await signIn(customer.email);
  });

  it('refuses customers and compliance staff, a blank reason, yourself, and a staff member unless an administrator asks', async () => {
    const customer = await person();
    const compliance = await person(['COMPLIANCE']);
    const support = await person(['SUPPORT']);
    const supportToken = (await signIn(support.email)).accessToken;
    for (const who of [customer, compliance]) {
      const res = await h.gql(LOCK, { id: support.id, reason: 'no reason at all' }, { accessToken: (await signIn(who.email)).accessToken });
      expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.lockUser'] });
    }
    expect((await h.gql(LOCK, { id: customer.id, reason: '  ' }, { accessToken: supportToken })).errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(code(await h.gql(LOCK, { id: support.id, reason: 'testing myself' }, { accessToken: supportToken }))).toBe('FORBIDDEN');
    expect(code(await h.gql(LOCK, { id: compliance.id, reason: 'a staff member' }, { accessToken: supportToken }))).toBe('FORBIDDEN');
    // An administrator may lock a staff member.
    const anotherAdmin = (await signIn((await person(['ADMIN'])).email)).accessToken;
    expect((await h.gql(LOCK, { id: compliance.id, reason: 'left the company' }, { accessToken: anotherAdmin })).data!.lockUser.status).toBe('LOCKED');
    expect((await h.gql(UNLOCK, { id: compliance.id, reason: 'came back' }, { accessToken: anotherAdmin })).data!.unlockUser.status).toBe('ACTIVE');
    const statuses = await h.server.dataSource.query(`SELECT status FROM identity.users WHERE id = ANY ($1)`, [[customer.id, compliance.id, support.id]]);
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
  });
});

describe('staff reads', () => {
  it('answers a customer to staff with a reason and audits the read (staff, customer, reason, request id, fields)', async () => {
    const customer = await person();
    const support = await person(['SUPPORT']);
    const token = (await signIn(support.email)).accessToken;
    const res = await h.gql(CUSTOMER, { id: customer.id, reason: 'Ticket 1234: card declined' }, { accessToken: token, headers: { 'x-request-id': 'req-staff-read-1' } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer).toMatchObject({ id: customer.id, email: customer.email });
    const [entry] = await audit('STAFF_READ', customer.id);
    expect(entry.request_id).toBe('req-staff-read-1');
    expect(entry.details).toEqual({
      actorId: support.id,
      reason: 'Ticket 1234: card declined',
      lookup: { id: customer.id },
      found: true,
      fields: ['displayName', 'email', 'id', 'phone'],
    });
    const byEmail = await h.gql(BY_EMAIL, { email: customer.email.toUpperCase(), reason: 'Caller gave their email' }, { accessToken: token });
    expect(byEmail.data!.customerByEmail).toEqual({ id: customer.id });
    expect(await audit('STAFF_READ', customer.id)).toHaveLength(2);
  });

  it('refuses a read without a reason, or with a blank one, reading and auditing nothing', async () => {
    const customer = await person();
    const token = (await signIn((await person(['SUPPORT'])).email)).accessToken;
    const missing = await h.gql(`query Q($id: ID!) { customer(id: $id) { id } }`, { id: customer.id }, { accessToken: token });
    expect(code(missing)).toBe('GRAPHQL_VALIDATION_FAILED');
    const blank = await h.gql(CUSTOMER, { id: customer.id, reason: ' \n ' }, { accessToken: token });
    expect(blank.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(blank.data?.customer ?? null).toBeNull();
    expect(await audit('STAFF_READ', customer.id)).toEqual([]);
  });

  it('records a lookup that finds nobody, and refuses customers', async () => {
    const support = await person(['SUPPORT']);
    const token = (await signIn(support.email)).accessToken;
    const ghost = `ghost.${Date.now()}@example.com`;
    expect((await h.gql(BY_EMAIL, { email: ghost, reason: 'Who is this?' }, { accessToken: token })).data).toEqual({ customerByEmail: null });
    const entries = (await audit('STAFF_READ', null)).filter((e) => e.details.lookup?.email === ghost);
    expect(entries).toHaveLength(1);
    expect(entries[0].details).toMatchObject({ actorId: support.id, found: false });
    const customer = await person();
    const res = await h.gql(CUSTOMER, { id: support.id, reason: 'curious' }, { accessToken: (await signIn(customer.email)).accessToken });
    expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Query.customer'] });
  });

  it('lists staff members to administrators only', async () => {
    const list = await h.gql(MEMBERS, {}, { accessToken: admin.token });
    expect(list.data!.staffMembers.map((m: { id: string }) => m.id)).toContain(admin.id);
    expect(list.data!.staffMembers.every((m: { roles: string[] }) => !m.roles.includes('CUSTOMER'))).toBe(true);
    const support = await person(['SUPPORT']);
    expect(code(await h.gql(MEMBERS, {}, { accessToken: (await signIn(support.email)).accessToken }))).toBe('FORBIDDEN');
  });
});
