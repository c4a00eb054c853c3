import {
  generateAccountToken,
  generateResetCode,
  hashAccountToken,
  hashResetCode,
  isLive,
  looksLikeAccountToken,
  normaliseResetCode,
  resetCodeMatches,
} from '../../src/domain/account-token';

describe('account tokens', () => {
  it('are 32 random bytes behind a prefix naming their kind, kept as a SHA-256', () => {
    const a = generateAccountToken('EMAIL_VERIFICATION');
    const b = generateAccountToken('EMAIL_VERIFICATION');
    expect(a.token).toMatch(/^mev_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash.equals(hashAccountToken(a.token))).toBe(true);
    expect(a.hash).toHaveLength(32);
    expect(generateAccountToken('PASSWORD_RESET').token).toMatch(/^mpr_/);
  });

  it('are recognised only in their own kind and shape', () => {
    const { token } = generateAccountToken('PASSWORD_RESET');
    expect(looksLikeAccountToken(token, 'PASSWORD_RESET')).toBe(true);
    expect(looksLikeAccountToken(token, 'EMAIL_VERIFICATION')).toBe(false);
    expect(looksLikeAccountToken(`${token}x`, 'PASSWORD_RESET')).toBe(false);
    expect(looksLikeAccountToken(`mpr_${'!'.repeat(43)}`, 'PASSWORD_RESET')).toBe(false);
  });
});

describe('reset codes', () => {
  it('are 8 digits, leading zeros kept, typed with or without spaces and dashes', () => {
    for (let i = 0; i < 200; i++) expect(generateResetCode()).toMatch(/^\d{8}$/);
    expect(normaliseResetCode(' 0123-4567 ')).toBe('01234567');
    for (const bad of ['1234567', '123456789', 'abcdefgh', '']) expect(normaliseResetCode(bad)).toBeNull();
  });

  it('are hashed with their reset’s id, so one code hashes differently in two resets', () => {
    const stored = hashResetCode('reset-a', '01234567');
    expect(resetCodeMatches('reset-a', '01234567', stored)).toBe(true);
    expect(resetCodeMatches('reset-a', '01234568', stored)).toBe(false);
    expect(resetCodeMatches('reset-b', '01234567', stored)).toBe(false);
    expect(hashResetCode('reset-b', '01234567').equals(stored)).toBe(false);
  });
});

describe('isLive', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const row = { expiresAt: new Date('2026-12-01T10:30:00Z'), usedAt: null, voidedAt: null };
  it('is false once used, voided or expired', () => {
    expect(isLive(row, now)).toBe(true);
    expect(isLive({ ...row, usedAt: now }, now)).toBe(false);
    expect(isLive({ ...row, voidedAt: now }, now)).toBe(false);
    expect(isLive(row, new Date('2026-12-01T10:30:00Z'))).toBe(false);
    expect(isLive(null, now)).toBe(false);
  });
});
