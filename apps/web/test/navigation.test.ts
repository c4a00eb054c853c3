import { historyRange, humanizeCode, isCalendarDate, rangeProblem, readHistorySearch } from '../src/accounts/history-filter';
import { activeNavItem, homeFor, navItems, visibleNavItems, type NavItem } from '../src/layout/nav-items';
import { HOME_PATH, safeRedirect } from '../src/session/safe-redirect';

describe('safeRedirect (where sign-in sends the person back to)', () => {
  it.each([
    ['/accounts/acc-1?from=2026-01-01#top', '/accounts/acc-1?from=2026-01-01#top'],
    ['/transfer?from=acc-1', '/transfer?from=acc-1'],
    ['/devices', '/devices'],
  ])('keeps a path of this app: %s', (value, expected) => {
    expect(safeRedirect(value)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    'accounts',
    '//evil.example/steal',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    ' /accounts',
    '/sign-in?redirect=%2Faccounts',
    '/reset-password?token=x',
    ['/accounts'],
  ])('sends anything else home: %j', (value) => {
    expect(safeRedirect(value)).toBe(HOME_PATH);
  });
});

describe('the navigation list', () => {
  const items: NavItem[] = [...navItems, { label: 'Reviews', to: '/accounts', roles: ['COMPLIANCE'] }];

  it('shows staff entries only to their roles', () => {
    const customer = visibleNavItems(items, ['CUSTOMER']).map((i) => i.label);
    expect(customer).toEqual(navItems.filter((i) => !i.roles || i.roles.includes('CUSTOMER')).map((i) => i.label));
    expect(customer).not.toContain('Reviews');
    expect(visibleNavItems(items, ['COMPLIANCE']).map((i) => i.label)).toContain('Reviews');
    // The staff screens' own entries: support only looks customers up.
    expect(visibleNavItems(navItems, ['SUPPORT']).filter((i) => i.roles).map((i) => i.label)).toEqual(['Customer lookup']);
    expect(visibleNavItems(navItems, ['COMPLIANCE']).filter((i) => i.roles).map((i) => i.label)).toEqual(['KYC reviews', 'Payment reviews', 'Customer lookup']);
  });

  it('shows the banking screens to customers only, and sends staff to their own first screen', () => {
    const compliance = visibleNavItems(navItems, ['COMPLIANCE']).map((i) => i.label);
    expect(compliance).toEqual(['Devices and sessions', 'Security', 'KYC reviews', 'Payment reviews', 'Customer lookup']);
    expect(homeFor(['CUSTOMER'])).toBe('/accounts');
    expect(homeFor(['CUSTOMER', 'ADMIN'])).toBe('/accounts');
    expect(homeFor(['COMPLIANCE'])).toBe('/staff/kyc');
    expect(homeFor(['SUPPORT'])).toBe('/staff/customers');
    expect(homeFor([])).toBe('/security');
  });

  it('marks the entry with the longest matching path', () => {
    expect(activeNavItem(navItems, '/accounts')?.label).toBe('Accounts');
    expect(activeNavItem(navItems, '/accounts/acc-1')?.label).toBe('Accounts');
    expect(activeNavItem(navItems, '/accounts/open')?.label).toBe('Open an account');
    expect(activeNavItem(navItems, '/accountsx')).toBeUndefined();
  });
});

describe('the history filter', () => {
  it('keeps only real dates and text from the address', () => {
    expect(readHistorySearch({ from: '2026-02-01', to: '2026-02-30', q: ' rent ', page: 3 })).toEqual({ from: '2026-02-01', q: ' rent ' });
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-01-01')).toBe(false);
  });

  it('asks for whole local days: from the first midnight to the midnight after the last day', () => {
    const { from, to } = historyRange({ from: '2026-03-01', to: '2026-03-31' });
    expect(new Date(from!).getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(new Date(to!).getTime()).toBe(new Date(2026, 3, 1).getTime());
    expect(historyRange({})).toEqual({ from: undefined, to: undefined });
    expect(rangeProblem({ from: '2026-03-02', to: '2026-03-01' })).toBe('The start date is after the end date.');
    expect(rangeProblem({ from: '2026-03-01', to: '2026-03-01' })).toBeUndefined();
  });

  it('writes ledger codes for people', () => {
    expect(humanizeCode('CARD_PAYMENT')).toBe('Card payment');
    expect(humanizeCode('TRANSFER')).toBe('Transfer');
  });
});
