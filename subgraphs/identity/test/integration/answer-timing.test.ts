import { createDevMailbox, createMemoryKeyValueStore, type Notifier } from '@meridian/platform';
import { newUser, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// Registering and asking for a password reset answer alike whether or not the address
// has an account, in their timing too: the two paths, run side by side in turn, take the
// same time within a tolerance that holds on a loaded two-core machine (a statement more
// on one path, a few ms, stays inside it). The mail service here takes a second per
// message, so an answer that waited for it on one path would stand out whatever the
// load. Sign-in's comparison is in sessions.test.ts.

const TRIES = 9;
const MAIL_DELAY_MS = 1_000;
const REQUEST_RESET = `mutation R($email: String!) { requestPasswordReset(email: $email) }`;

let h: IdentityHarness;
const mailbox = createDevMailbox({ kv: createMemoryKeyValueStore() });
const slowMail: Notifier = {
  async send(notification) {
    await new Promise((resolve) => setTimeout(resolve, MAIL_DELAY_MS));
    return mailbox.send(notification);
  },
};
beforeAll(async () => {
  h = await startIdentity({}, { notifier: slowMail });
});
afterAll(() => h.close());

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs `a` and `b` in turn, `TRIES` times each (each going first every other
 * round, so a busy moment falls on both), after one warm-up each; answers the
 * median duration of each in ms.
 */
async function sideBySide(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: number; b: number }> {
  await a();
  await b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    if (i % 2 === 0) {
      as.push(await timed(a));
      bs.push(await timed(b));
    } else {
      bs.push(await timed(b));
      as.push(await timed(a));
    }
  }
  return { a: median(as), b: median(bs) };
}

/** The slower median is at most twice the faster plus 100 ms: room for a busy machine, none for the mail service's second. */
function expectAlike(medians: { a: number; b: number }): void {
  const [fast, slow] = [Math.min(medians.a, medians.b), Math.max(medians.a, medians.b)];
  expect({ ...medians, alike: slow <= 2 * fast + 100 }).toMatchObject({ alike: true });
}

describe('answer timing', () => {
  it('takes as long to register a taken address as a new one', async () => {
    const owner = newUser();
    expect((await h.gql(REGISTER, { input: owner })).errors).toBeUndefined();
    const register = async (input: Record<string, unknown>) => {
      const res = await h.gql(REGISTER, { input });
      expect(res.data?.register).toEqual({ email: input.email, verificationSent: true });
    };
    const users = await h.count('users');
    expectAlike(await sideBySide(() => register(newUser({ email: owner.email })), () => register(newUser())));
    // Every new address made an account; the taken one none, and its owner is told each time.
    expect(await h.count('users')).toBe(users + TRIES + 1);
    await h.server.mail.settled();
    expect((await mailbox.list(owner.email)).filter((m) => m.template === 'identity.registration_duplicate')).toHaveLength(TRIES + 1);
  });

  it('takes as long to ask for a reset of a known address as of an unknown one', async () => {
    const known = newUser();
    expect((await h.gql(REGISTER, { input: known })).errors).toBeUndefined();
    let n = 0;
    const request = async (email: string) => expect((await h.gql(REQUEST_RESET, { email })).data).toEqual({ requestPasswordReset: true });
    expectAlike(await sideBySide(() => request(known.email), () => request(`nobody.${Date.now()}.${(n += 1)}@example.com`)));
    await h.server.mail.settled();
    expect((await mailbox.list(known.email)).filter((m) => m.template === 'identity.password_reset')).toHaveLength(TRIES + 1);
  });
});
