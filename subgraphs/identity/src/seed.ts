import { isUniqueViolation } from '@meridian/platform';
import type { AccountService } from './services/account-service';

/** The demo customer the embedded mode creates; printed at start-up. */
export const DEMO_USER = {
  email: 'demo@meridian.bank',
  password: 'Sandbox-Password-2026',
  displayName: 'Demo Customer',
  phone: '+447700900123',
};

/** Creates the demo user once; later starts find it and leave it alone. */
export async function seedDemoUser(accounts: AccountService): Promise<{ outcome: 'created' | 'existing'; userId: string }> {
  try {
    const user = await accounts.register(DEMO_USER, { ip: '127.0.0.1', userAgent: 'meridian-seed', requestId: 'seed' });
    return { outcome: 'created', userId: user.id };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'CONFLICT' && !isUniqueViolation(err)) throw err;
    const existing = await accounts.findByEmail(DEMO_USER.email);
    if (!existing) throw err;
    return { outcome: 'existing', userId: existing.id };
  }
}

