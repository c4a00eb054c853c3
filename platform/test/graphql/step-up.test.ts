import { DomainError, hasRecentMfa, requireRecentMfa, type AccessTokenClaims, type SubgraphContext } from '@meridian/platform';

const claims = (amr: string[], secondsAgo: number): AccessTokenClaims => ({
  userId: 'u1',
  sessionId: 's1',
  roles: ['CUSTOMER'],
  scopes: [],
  tokenId: 't1',
  expiresAt: new Date(Date.now() + 600_000),
  amr,
  authTime: new Date(Date.now() - secondsAgo * 1000),
});

const context = (user?: AccessTokenClaims) => ({ requestId: 'r', caller: 'gateway', clientIp: '', userAgent: '', user }) as unknown as SubgraphContext;

describe('step-up', () => {
  it('counts a second factor within the window only', () => {
    expect(hasRecentMfa(claims(['pwd', 'otp', 'mfa'], 10), 300)).toBe(true);
    expect(hasRecentMfa(claims(['pwd', 'otp', 'mfa'], 299), 300)).toBe(true);
    expect(hasRecentMfa(claims(['pwd', 'otp', 'mfa'], 301), 300)).toBe(false);
    // A fresh password alone is no second factor.
    expect(hasRecentMfa(claims(['pwd'], 0), 300)).toBe(false);
  });

  it('answers the user, or STEP_UP_REQUIRED saying what to do, or UNAUTHENTICATED', () => {
    const fresh = claims(['pwd', 'mfa'], 5);
    expect(requireRecentMfa(context(fresh), { maxAgeSeconds: 300, action: 'createPayee' })).toBe(fresh);
    const refused = (() => {
      try {
        requireRecentMfa(context(claims(['pwd'], 5)), { maxAgeSeconds: 300, action: 'createPayee' });
      } catch (err) {
        return err as DomainError;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused!.extensions).toEqual({ code: 'STEP_UP_REQUIRED', maxAgeSeconds: 300, methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'], action: 'createPayee' });
    expect(refused!.message).toMatch(/last 5 minutes.*stepUp.*requestStepUpCode/);
    expect(() => requireRecentMfa(context(undefined), { maxAgeSeconds: 300, action: 'x' })).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
