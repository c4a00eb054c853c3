import { isUniqueViolation } from '@meridian/platform';
import type { AccountService, RegistrationInput } from './services/account-service';

/** The demo customer the embedded mode creates; printed at start-up. */
export const DEMO_USER = {
  email: 'demo@meridian.bank',
  password: 'Sandbox-Password-2026',
  displayName: 'Demo Customer',
  phone: '+447700900123',
};

/**
 * Creates a seeded customer once, with a verified address; later starts find
 * it (and mark its address verified, if it was seeded before verification existed).
 */
export async function seedVerifiedUser(accounts: AccountService, input: RegistrationInput): Promise<{ outcome: 'created' | 'existing'; userId: string }> {
  try {
    const user = await accounts.register(input, { ip: '127.0.0.1', userAgent: 'meridian-seed', requestId: 'seed' }, ['CUSTOMER'], { emailVerified: true });
    return { outcome: 'created', userId: user.id };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'CONFLICT' && !isUniqueViolation(err)) throw err;
    const existing = await accounts.findByEmail(input.email);
    if (!existing) throw err;
    await accounts.markEmailVerified(existing.id);
    return { outcome: 'existing', userId: existing.id };
  }
}

/** Creates the demo user once; later starts find it and leave it alone. */
export function seedDemoUser(accounts: AccountService): Promise<{ outcome: 'created' | 'existing'; userId: string }> {
  return seedVerifiedUser(accounts, DEMO_USER);
}
