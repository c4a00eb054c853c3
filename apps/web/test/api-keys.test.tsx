/** @jest-environment jsdom */
import './support/dom-setup';
import { ApiKeysDocument, CreateApiKeyDocument, RevokeApiKeyDocument, type ApiKeysQuery } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { READ_ONLY_SCOPES } from '../src/security/api-key-scopes';
import { CreateApiKeyForm } from '../src/security/create-api-key-form';
import { createFakeBff, data, refusal, type FakeAnswer } from './support/fake-bff';
import { FIRST_RENDER, openAppAt, signedInAs } from './support/open-app-at';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;

const SECRET = `mk_live_0123456789abcdef_${'A'.repeat(43)}`;

type ApiKey = ApiKeysQuery['apiKeys'][number];

const key = (id: string, name: string, overrides: Partial<ApiKey> = {}): ApiKey => ({
  id,
  name,
  prefix: 'mk_live_0123456789abcdef',
  scopes: ['accounts:read', 'payments:read'],
  createdAt: '2026-12-01T09:00:00.000Z',
  expiresAt: '2027-03-01T09:00:00.000Z',
  lastUsedAt: null,
  revokedAt: null,
  status: 'ACTIVE',
  ...overrides,
});

const created = (variables: Record<string, unknown>) =>
  data({ createApiKey: { secret: SECRET, apiKey: { ...key('key-new', String(variables.name), { scopes: variables.scopes as string[] }), lastUsedAt: undefined, revokedAt: undefined } } });

async function create(events: Events, name: string) {
  const field = screen.getByRole('textbox', { name: 'Name' });
  await events.clear(field);
  if (name) await events.type(field, name);
  await events.click(screen.getByRole('button', { name: 'Create the key' }));
}

const scopeBox = (scope: string) => screen.getAllByRole('checkbox').find((c) => (c as HTMLInputElement).value === scope)!;
const checked = () => screen.getAllByRole('checkbox').filter((c) => (c as HTMLInputElement).checked).map((c) => (c as HTMLInputElement).value);

describe('the new API key form', () => {
  it('starts with the read-only permissions and needs a name and at least one permission', async () => {
    const bff = createFakeBff();
    renderWithApp(<CreateApiKeyForm onCreated={jest.fn()} />, bff);
    const events = userEvent.setup();
    expect(checked()).toEqual(READ_ONLY_SCOPES);
    expect(screen.getAllByRole('checkbox').map((c) => (c as HTMLInputElement).value)).not.toContain('credentials:write');
    for (const scope of READ_ONLY_SCOPES) await events.click(scopeBox(scope));
    await create(events, '  ');
    expect(await screen.findByText('Give the key a name, e.g. what uses it.')).toBeTruthy();
    expect(screen.getByText('Choose at least one permission.')).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('creates the key with the chosen permissions in identity’s order and a lifetime', async () => {
    const bff = createFakeBff();
    bff.on(CreateApiKeyDocument, created);
    const onCreated = jest.fn();
    renderWithApp(<CreateApiKeyForm onCreated={onCreated} />, bff);
    const events = userEvent.setup();
    await events.click(scopeBox('payments:write'));
    await events.click(scopeBox('kyc:read'));
    await events.click(screen.getByRole('textbox', { name: 'Works for' }));
    await events.click(await screen.findByRole('option', { name: '30 days' }));
    const before = Date.now();
    await create(events, '  Monthly budget export ');
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(expect.objectContaining({ secret: SECRET })));
    const [sent] = bff.variablesOf(CreateApiKeyDocument) as { name: string; scopes: string[]; expiresAt: string }[];
    expect(sent.name).toBe('Monthly budget export');
    expect(sent.scopes).toEqual(['profile:read', 'accounts:read', 'payments:read', 'payments:write', 'insights:read']);
    const days = (Date.parse(sent.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
  });

  it.each<[string, FakeAnswer, string, 'field' | 'alert']>([
    ['SCOPE_NOT_HELD', refusal('FORBIDDEN', 'not held', { field: 'scopes', reason: 'SCOPE_NOT_HELD', scopes: ['payments:read'] }, 403), 'You cannot give a key what you may not do yourself: read your payments, payees, limits and cards.', 'field'],
    ['SCOPE_NOT_DELEGABLE', refusal('FORBIDDEN', 'never', { field: 'scopes', reason: 'SCOPE_NOT_DELEGABLE', scopes: ['credentials:write'] }, 403), 'A key can never be given: credentials:write.', 'field'],
    ['a name refused', refusal('BAD_USER_INPUT', 'The name must be 1 to 100 printable characters.', { field: 'name' }), 'The name must be 1 to 100 printable characters.', 'field'],
    ['the key limit', refusal('CONFLICT', 'At most 20 live keys.', { reason: 'API_KEY_LIMIT' }), 'You have 20 keys that still work, the most you can hold.', 'alert'],
    ['a staff sign-in', refusal('FORBIDDEN', 'Only customers can create API keys.', {}, 403), 'Only customers can create API keys.', 'alert'],
  ])('explains %s', async (_case, answer, message, where) => {
    const bff = createFakeBff();
    bff.on(CreateApiKeyDocument, answer);
    renderWithApp(<CreateApiKeyForm onCreated={jest.fn()} />, bff);
    await create(userEvent.setup(), 'Script');
    if (where === 'alert') expect((await screen.findByRole('alert')).textContent).toContain(message);
    else {
      expect(await screen.findByText(message)).toBeTruthy();
      expect(screen.queryByRole('alert')).toBeNull();
    }
  });
});

describe('the API keys screen', () => {
  it('shows the new key’s secret once, lists the keys, and revokes one after asking', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    let keys = [key('key-old', 'Old script', { lastUsedAt: '2026-12-06T18:30:00.000Z' }), key('key-gone', 'Retired', { status: 'REVOKED', revokedAt: '2026-12-02T09:00:00.000Z' })];
    bff.on(ApiKeysDocument, () => data({ apiKeys: keys }));
    bff.on(CreateApiKeyDocument, (variables) => {
      keys = [key('key-new', String(variables.name)), ...keys];
      return created(variables);
    });
    bff.on(RevokeApiKeyDocument, (variables) => {
      keys = keys.map((k) => (k.id === variables.id ? { ...k, status: 'REVOKED' as const, revokedAt: '2026-12-07T10:00:00.000Z' } : k));
      return data({ revokeApiKey: { id: variables.id, status: 'REVOKED', revokedAt: '2026-12-07T10:00:00.000Z' } });
    });
    const { events } = openAppAt('/security/api-keys', bff);
    await waitFor(() => expect(screen.getAllByTestId('api-key')).toHaveLength(2), FIRST_RENDER);
    expect(screen.getAllByTestId('api-key')[1].textContent).toContain('Revoked');
    expect(within(screen.getAllByTestId('api-key')[1]).queryByRole('button', { name: /Revoke/ })).toBeNull();

    await create(events, 'Budget export');
    expect((await screen.findByTestId('api-key-secret')).textContent).toBe(SECRET);
    await waitFor(() => expect(screen.getAllByTestId('api-key')).toHaveLength(3));
    await events.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByTestId('api-key-secret')).toBeNull();
    expect(screen.getByRole('button', { name: 'Create the key' })).toBeTruthy();

    await events.click(screen.getByRole('button', { name: 'Revoke Old script' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke this key?' });
    await events.click(within(dialog).getByRole('button', { name: 'Revoke the key' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Revoke Old script' })).toBeNull());
    expect(bff.variablesOf(RevokeApiKeyDocument)).toEqual([{ id: 'key-old' }]);
    expect(screen.getAllByTestId('api-key').find((c) => c.textContent?.includes('Old script'))?.textContent).toContain('Revoked');
  });

  it('explains a revocation that could not be recorded', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    bff.on(ApiKeysDocument, data({ apiKeys: [key('key-old', 'Old script')] }));
    bff.on(RevokeApiKeyDocument, refusal('SERVICE_UNAVAILABLE', 'not recorded', {}, 503));
    const { events } = openAppAt('/security/api-keys', bff);
    await events.click(await screen.findByRole('button', { name: 'Revoke Old script' }, FIRST_RENDER));
    await events.click(within(await screen.findByRole('dialog', { name: 'Revoke this key?' })).getByRole('button', { name: 'Revoke the key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Meridian is busy right now.');
  });
});
