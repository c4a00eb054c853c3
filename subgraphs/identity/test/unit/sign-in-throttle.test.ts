import { backoffMs, decideSignIn, DEFAULT_SIGN_IN_POLICY as P, signInKey, type SignInAttempts, type SignInDecision } from '../../src/domain/sign-in-throttle';

const t0 = new Date('2026-12-01T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

/** Runs attempts at the given times, keeping what each decision says to keep. */
function run(times: number[], start: SignInAttempts | null = null): { decisions: SignInDecision[]; state: SignInAttempts | null } {
  let state = start;
  const decisions = times.map((ms) => {
    const decision = decideSignIn(state, at(ms));
    state = decision.next;
    return decision;
  });
  return { decisions, state };
}

describe('sign-in backoff and lock (per email address)', () => {
  it('allows the first five attempts back to back, then makes each wait twice as long as the one before', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((f) => backoffMs(f))).toEqual([0, 0, 0, 0, 0, 1_000, 2_000, 4_000]);
    expect(backoffMs(30)).toBe(P.backoffMaxMs);
    const { decisions } = run([0, 0, 0, 0, 0, 0]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions[5]).toMatchObject({ reason: 'SIGN_IN_BACKOFF', retryAfterMs: 1_000 });
  });

  it('refused attempts do not count and do not push the wait further', () => {
    const { decisions, state } = run([0, 0, 0, 0, 0, 500, 900, 1_000]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, true]);
    expect(decisions[6]).toMatchObject({ retryAfterMs: 100 });
    expect(state).toMatchObject({ failures: 6, lastAttemptAt: at(1_000) });
  });

  it('locks after ten attempts without a success, for 15 minutes, and each lock after that for twice as long', () => {
    const paced = [0, 0, 0, 0, 0, 1_000, 3_000, 7_000, 15_000, 31_000];
    const first = run([...paced, 63_000]);
    expect(first.decisions.slice(0, 10).every((d) => d.allowed)).toBe(true);
    expect(first.decisions[10]).toMatchObject({ allowed: false, reason: 'SIGN_IN_LOCKED', retryAfterMs: 15 * 60_000, lockedNow: true });
    expect(decideSignIn(first.state, at(63_000 + 14 * 60_000))).toMatchObject({ allowed: false, reason: 'SIGN_IN_LOCKED', lockedNow: false, retryAfterMs: 60_000 });

    // The lock runs out: the count starts again, and the next lock lasts 30 minutes.
    const after = 63_000 + 15 * 60_000;
    const second = run([...paced.map((ms) => after + ms), after + 63_000], first.state);
    expect(second.decisions.slice(0, 10).every((d) => d.allowed)).toBe(true);
    expect(second.decisions[10]).toMatchObject({ reason: 'SIGN_IN_LOCKED', retryAfterMs: 30 * 60_000 });
    const locked = (n: number) => decideSignIn({ failures: P.lockAfter, lastAttemptAt: t0, lockedUntil: null, lockouts: n }, at(1));
    expect(locked(20)).toMatchObject({ retryAfterMs: P.lockMaxMs });
  });

  it('forgets a count after a day without attempts, but never a running lock', () => {
    const { state } = run([0, 0, 0, 0, 0]);
    expect(decideSignIn(state, at(P.forgetAfterMs + 1))).toMatchObject({ allowed: true, next: { failures: 1, lockouts: 0 } });
    const lock: SignInAttempts = { failures: 10, lastAttemptAt: t0, lockedUntil: at(P.forgetAfterMs * 2), lockouts: 5 };
    expect(decideSignIn(lock, at(P.forgetAfterMs + 1))).toMatchObject({ allowed: false, reason: 'SIGN_IN_LOCKED' });
  });

  it('keys every spelling of one address alike', () => {
    expect(signInKey(' Ana@Example.com ')).toEqual(signInKey('ana@example.com'));
    expect(signInKey('ANA@EXAMPLE.COM')).toEqual(signInKey('ana@example.com'));
    expect(signInKey('Zoe\u0301@example.com')).toEqual(signInKey('zo\u00e9@example.com'));
    expect(signInKey('ana@example.com')).not.toEqual(signInKey('ana2@example.com'));
  });
});
