// What the dashboard offers to choose from is what the API accepts: the countries KYC validates
// against, and the scopes identity lets a customer give an API key.
import countries from 'i18n-iso-countries';
import { DELEGABLE_SCOPES, READ_ONLY_DELEGABLE_SCOPES, SCOPES } from '@meridian/identity/src/domain/permissions';
import { COUNTRY_CODES, countryName, countryOptions } from '../src/kyc/countries';
import { API_KEY_SCOPES, READ_ONLY_SCOPES, scopeLabel } from '../src/security/api-key-scopes';

describe('the choices the dashboard offers', () => {
  it('has exactly the countries KYC accepts, each named', () => {
    expect([...COUNTRY_CODES].sort()).toEqual(Object.keys(countries.getAlpha2Codes()).sort());
    expect(new Set(COUNTRY_CODES).size).toBe(COUNTRY_CODES.length);
    expect(countryOptions()).toHaveLength(COUNTRY_CODES.length);
    expect(countryName('GB')).toBe('United Kingdom');
    expect(countryOptions().every((o) => o.label.length > 0)).toBe(true);
  });

  it('offers an API key exactly the scopes identity lets a customer delegate, in its order, the read-only ones first chosen', () => {
    expect(API_KEY_SCOPES.map((s) => s.scope)).toEqual(DELEGABLE_SCOPES);
    expect(READ_ONLY_SCOPES).toEqual(READ_ONLY_DELEGABLE_SCOPES);
    expect(API_KEY_SCOPES.every((s) => s.scope in SCOPES && s.label.length > 0)).toBe(true);
    expect(scopeLabel('accounts:read')).toBe('Read your accounts, balances and transactions');
    expect(scopeLabel('something:new')).toBe('something:new');
  });
});
