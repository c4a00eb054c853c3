import { Secret, TOTP } from 'otpauth';
import { amrWith, generateMfaToken, hashMfaToken, looksLikeMfaToken } from '../../src/domain/mfa';
import { generateRecoveryCodes, normaliseRecoveryCode } from '../../src/domain/recovery-code';
import { checkTotp, newTotpSecret, totpUri } from '../../src/domain/totp';

const STEP = 30_000;
const at = Date.UTC(2026, 11, 1, 9, 30, 15);
const counterAt = (t: number) => Math.floor(t / STEP);

describe('TOTP', () => {
  const secret = newTotpSecret();
  // Codes as an authenticator app makes them: an independent implementation.
  const app = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  const appCode = (t: number) => app.generate({ timestamp: t });

  it('makes 160-bit base32 secrets and a URI authenticator apps import', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri(secret, 'ana@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Meridian:ana@example.com');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ issuer: 'Meridian', secret, algorithm: 'SHA1', digits: '6', period: '30' });
  });

  it("accepts RFC 6238's SHA-1 test vectors, cut to six digits", () => {
    // Appendix B: the ASCII secret "12345678901234567890"; 94287082 at 59 s, 07081804 at 1111111109 s.
    const rfcSecret = Secret.fromUTF8('12345678901234567890').base32;
    expect(checkTotp(rfcSecret, '287082', null, 59_000)).toEqual({ ok: true, counter: 1 });
    expect(checkTotp(rfcSecret, '081804', null, 1_111_111_109_000)).toEqual({ ok: true, counter: 37_037_036 });
  });

  it('accepts the code of this step and one step either side, and nothing further', () => {
    for (const offset of [-1, 0, 1]) {
      expect(checkTotp(secret, appCode(at + offset * STEP), null, at)).toEqual({ ok: true, counter: counterAt(at) + offset });
    }
    for (const offset of [-3, -2, 2, 3]) {
      const code = appCode(at + offset * STEP);
      // A far code can equal a near one by chance (1 in a million); only a distinct code is a fair test.
      if ([-1, 0, 1].some((near) => appCode(at + near * STEP) === code)) continue;
      expect(checkTotp(secret, code, null, at)).toEqual({ ok: false, reason: 'WRONG' });
    }
  });

  it('refuses a code whose step is not after the last accepted one (replay)', () => {
    const code = appCode(at);
    const first = checkTotp(secret, code, null, at);
    expect(first.ok).toBe(true);
    const last = (first as { counter: number }).counter;
    expect(checkTotp(secret, code, last, at + 5_000)).toEqual({ ok: false, reason: 'REUSED' });
    // The previous step's code, still inside the window, is older than what was used: refused too.
    expect(checkTotp(secret, appCode(at - STEP), last, at)).toEqual({ ok: false, reason: 'REUSED' });
    // The next step's code is new.
    expect(checkTotp(secret, appCode(at + STEP), last, at + STEP)).toEqual({ ok: true, counter: last + 1 });
  });

  it('refuses anything but six digits before any arithmetic', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 3456', '123456 ']) expect(checkTotp(secret, code, null, at)).toEqual({ ok: false, reason: 'WRONG' });
  });
});

describe('recovery codes', () => {
  it('issues distinct codes of about 50 bits, without look-alike characters', () => {
    const codes = generateRecoveryCodes(10);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
  });

  it('reads a code however it is typed, and refuses what cannot be one', () => {
    expect(normaliseRecoveryCode('ABCDE-FGH23')).toBe('abcde-fgh23');
    expect(normaliseRecoveryCode(' abcde fgh23 ')).toBe('abcde-fgh23');
    expect(normaliseRecoveryCode('abcdefgh23')).toBe('abcde-fgh23');
    for (const bad of ['', 'abcde-fgh2', 'abcde-fgh234', 'abcde-fgh10', 'abcde-fghi3', '123456']) expect(normaliseRecoveryCode(bad)).toBeNull();
  });
});

describe('amr and mfa tokens', () => {
  it('adds the method and mfa to what the session had, once each', () => {
    expect(amrWith(['pwd'], 'TOTP')).toEqual(['pwd', 'otp', 'mfa']);
    expect(amrWith(['pwd'], 'SMS')).toEqual(['pwd', 'sms', 'mfa']);
    expect(amrWith(['pwd'], 'EMAIL')).toEqual(['pwd', 'mfa']);
    expect(amrWith(['pwd'], 'RECOVERY_CODE')).toEqual(['pwd', 'mfa']);
    expect(amrWith(['pwd', 'otp', 'mfa'], 'TOTP')).toEqual(['pwd', 'otp', 'mfa']);
    expect(amrWith(['pwd', 'otp', 'mfa'], 'SMS')).toEqual(['pwd', 'otp', 'mfa', 'sms']);
  });

  it('makes opaque tokens kept only as hashes', () => {
    const { token, hash } = generateMfaToken();
    expect(looksLikeMfaToken(token)).toBe(true);
    expect(hash).toBe(hashMfaToken(token));
    expect(hash).not.toContain(token.slice(4));
    expect(looksLikeMfaToken('mrt_' + token.slice(4))).toBe(false);
    expect(generateMfaToken().token).not.toBe(token);
  });
});
