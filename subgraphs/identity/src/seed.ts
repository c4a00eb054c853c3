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
export async function seedDemoUser(accounts: AccountService): Promise<'created' | 'existing'> {
  try {
    await accounts.register(DEMO_USER, { ip: '127.0.0.1', userAgent: 'meridian-seed', requestId: 'seed' });
    return 'created';
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'CONFLICT' || isUniqueViolation(err)) return 'existing';
    throw err;
  }
}

