import { MeridianError, mfaChallengeOf, stepUpChallengeOf } from '../src';

describe('second-factor helpers', () => {
  it('read the MFA_REQUIRED challenge from a client error or a /auth/login body', () => {
    const errors = [{ message: 'A second factor is needed.', extensions: { code: 'MFA_REQUIRED', mfaToken: 'mfa_abc', methods: ['TOTP', 'EMAIL'], expiresAt: '2026-12-01T10:05:00.000Z' } }];
    const expected = { mfaToken: 'mfa_abc', methods: ['TOTP', 'EMAIL'], expiresAt: '2026-12-01T10:05:00.000Z' };
    expect(mfaChallengeOf(new MeridianError('MFA_REQUIRED', errors[0].message, { errors }))).toEqual(expected);
    expect(mfaChallengeOf({ errors })).toEqual(expected);
    expect(stepUpChallengeOf({ errors })).toBeUndefined();
  });

  it('read the STEP_UP_REQUIRED challenge, and nothing from other errors', () => {
    const errors = [{ message: 'Step up.', extensions: { code: 'STEP_UP_REQUIRED', maxAgeSeconds: 300, methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'], action: 'createPayee' } }];
    expect(stepUpChallengeOf(new MeridianError('STEP_UP_REQUIRED', 'Step up.', { errors }))).toEqual({
      maxAgeSeconds: 300,
      methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'],
      action: 'createPayee',
    });
    expect(mfaChallengeOf(new MeridianError('STEP_UP_REQUIRED', 'Step up.', { errors }))).toBeUndefined();
    expect(stepUpChallengeOf(new MeridianError('FORBIDDEN', 'No.', { errors: [{ message: 'No.', extensions: { code: 'FORBIDDEN' } }] }))).toBeUndefined();
    expect(stepUpChallengeOf(new Error('plain'))).toBeUndefined();
    expect(mfaChallengeOf(null)).toBeUndefined();
  });
});
