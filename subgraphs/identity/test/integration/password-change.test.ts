import { LOGIN, newUser, REFRESH, REGISTER, startIdentity, type GqlResponse, type IdentityHarness } from '../helpers/identity-harness';

// Changing a known password: the current one is checked (and counted like a sign-in), the new one
// meets the policy, every other session ends while the caller's stays, and the user is told.

const CHANGE = `mutation C($currentPassword: String!, $newPassword: String!) { changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }`;
const NEW_PASSWORD = 'quartz lantern meadow kettle';

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

const codeOf = (res: GqlResponse) => res.errors?.[0].extensions?.code;

/** A session that just gave a second factor (an emailed code), as changing the password needs. */
async function signedIn(deviceId: string, user: { email: string; password: string }) {
  const res = await h.gql(LOGIN, { input: { email: user.email, password: user.password, deviceId } });
  expect(res.errors).toBeUndefined();
  return h.stepUp(res.data!.login.accessToken, user.email);
}

async function registered() {
  const user = newUser();
  expect((await h.gql(REGISTER, { input: user })).errors).toBeUndefined();
  return { ...user, id: await h.idOf(user.email) };
}

describe('changePassword', () => {
  it('changes the password, ends the other sessions but not the caller’s, and tells the user', async () => {
    const user = await registered();
    const phone = await signedIn('phone-1', user);
    const laptop = await signedIn('laptop-1', user);
    const res = await h.gql(CHANGE, { currentPassword: user.password, newPassword: NEW_PASSWORD }, { accessToken: phone.accessToken });
    expect(res.errors).toBeUndefined();
    expect(res.data?.changePassword).toBe(true);

    expect((await h.gql(REFRESH, { token: phone.refreshToken, deviceId: 'phone-1' })).errors).toBeUndefined();
    expect(codeOf(await h.gql(REFRESH, { token: laptop.refreshToken, deviceId: 'laptop-1' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(LOGIN, { input: { email: user.email, password: user.password } }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(LOGIN, { input: { email: user.email, password: NEW_PASSWORD } })).errors).toBeUndefined();
    expect((await h.latestMail(user.email, 'identity.password_changed'))?.data).toEqual({ how: 'change' });
    const [audit] = await h.server.dataSource.query(`SELECT details FROM identity.audit_events WHERE type = 'PASSWORD_CHANGED' AND user_id = $1`, [user.id]);
    expect(audit.details).toEqual({ sessionsEnded: 1 });
  });

  it('refuses a wrong current password with FORBIDDEN (the session stays good), a weak or unchanged new one with BAD_USER_INPUT, changing nothing', async () => {
    const user = await registered();
    const session = await signedIn('phone-2', user);
    const other = await signedIn('laptop-2', user);
    const wrong = await h.gql(CHANGE, { currentPassword: 'not the right password', newPassword: NEW_PASSWORD }, { accessToken: session.accessToken });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WRONG_PASSWORD', field: 'currentPassword' });
    for (const newPassword of ['password1234', user.password]) {
      const bad = await h.gql(CHANGE, { currentPassword: user.password, newPassword }, { accessToken: session.accessToken });
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    }
    expect(codeOf(await h.gql(CHANGE, { currentPassword: user.password, newPassword: NEW_PASSWORD }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(REFRESH, { token: other.refreshToken, deviceId: 'laptop-2' })).errors).toBeUndefined();
    expect((await h.gql(LOGIN, { input: { email: user.email, password: user.password } })).errors).toBeUndefined();
    await h.server.mail.settled();
    expect(await h.mailbox.latest(user.email, 'identity.password_changed')).toBeUndefined();
  });

  it('counts wrong current passwords like failed sign-ins, so a stolen session cannot guess on', async () => {
    const user = await registered();
    const session = await signedIn('phone-3', user);
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      answers.push(codeOf(await h.gql(CHANGE, { currentPassword: `wrong guess number ${i}`, newPassword: NEW_PASSWORD }, { accessToken: session.accessToken })));
    }
    // Five free attempts (the sign-in throttle's default), then each must wait: refused before the password is looked at.
    expect(answers.slice(0, 5)).toEqual(Array(5).fill('FORBIDDEN'));
    expect(answers.slice(5)).toContain('RATE_LIMITED');
  });
});
