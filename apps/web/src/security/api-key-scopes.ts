/** A permission an API key can be given. */
export interface ApiKeyScope {
  scope: string;
  label: string;
}

/**
 * The scopes identity lets a customer give an API key — their own data's,
 * never `credentials:write` nor a staff scope (identity's `DELEGABLE_SCOPES`;
 * a test keeps the two lists equal) — in identity's order, with what each allows.
 */
export const API_KEY_SCOPES: readonly ApiKeyScope[] = [
  { scope: 'profile:read', label: 'Read your profile' },
  { scope: 'profile:write', label: 'Change your profile (name, phone)' },
  { scope: 'accounts:read', label: 'Read your accounts, balances and transactions' },
  { scope: 'accounts:write', label: 'Open and close accounts, move money between them' },
  { scope: 'payments:read', label: 'Read your payments, payees, limits and cards' },
  { scope: 'payments:write', label: 'Make, schedule and cancel payments; manage payees and cards' },
  { scope: 'kyc:read', label: 'Read your identity verification' },
  { scope: 'kyc:write', label: 'Give personal data and documents for verification' },
  { scope: 'insights:read', label: 'Read your money insights' },
  { scope: 'insights:write', label: 'Change your budgets, goals and categories' },
];

/** What identity gives a key when none are chosen, and what the form starts with: every scope that only reads. */
export const READ_ONLY_SCOPES: readonly string[] = API_KEY_SCOPES.filter((s) => s.scope.endsWith(':read')).map((s) => s.scope);

/** A scope's label, or the scope itself for one this list does not know. */
export function scopeLabel(scope: string): string {
  return API_KEY_SCOPES.find((s) => s.scope === scope)?.label ?? scope;
}
