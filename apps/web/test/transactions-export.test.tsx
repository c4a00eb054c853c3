/** @jest-environment jsdom */
import './support/dom-setup';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DownloadedFile } from '../src/api/exports-api';
import { TransactionsExport } from '../src/insights/transactions-export';
import { createFakeBff, refusal, type FakeAnswer, type FakeBff } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

const range = { from: '2026-11-01', to: '2026-11-30' };
const ROUTE = 'GET /exports/transactions.csv';

function setup(bff: FakeBff, wanted: { from: string; to: string } | undefined = range) {
  const save = jest.fn<void, [DownloadedFile]>();
  renderWithApp(<TransactionsExport range={wanted} save={save} />, bff);
  return { save, events: userEvent.setup() };
}

const download = (events: ReturnType<typeof userEvent.setup>) => events.click(screen.getByRole('button', { name: 'Download transactions (CSV)' }));

describe('the transactions export', () => {
  it('downloads the period from the BFF and saves it under the name the BFF gives', async () => {
    const bff = createFakeBff();
    bff.onRoute(ROUTE, { body: 'date,account_id', headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="meridian-transactions-2026-11-01-to-2026-11-30.csv"' } });
    const { events, save } = setup(bff);
    await download(events);
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    const [file] = save.mock.calls[0];
    expect(file.fileName).toBe('meridian-transactions-2026-11-01-to-2026-11-30.csv');
    expect(file.blob.type).toBe('text/csv;charset=utf-8');
    expect(bff.calls).toHaveLength(1);
    const [call] = bff.calls;
    expect(call).toMatchObject({ method: 'GET', path: '/exports/transactions.csv' });
    expect((await screen.findByRole('status')).textContent).toBe('Downloaded meridian-transactions-2026-11-01-to-2026-11-30.csv.');
  });

  it('sends only the two dates', async () => {
    const bff = createFakeBff();
    const urls: string[] = [];
    const fetch = bff.fetch;
    bff.onRoute(ROUTE, { body: '' });
    renderWithApp(<TransactionsExport range={range} save={() => {}} />, {
      ...bff,
      fetch: async (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      },
    });
    await download(userEvent.setup());
    await waitFor(() => expect(urls).toEqual(['/exports/transactions.csv?from=2026-11-01&to=2026-11-30']));
  });

  it('cannot be pressed while the period is not a valid one', () => {
    renderWithApp(<TransactionsExport range={undefined} save={() => {}} />, createFakeBff());
    expect(screen.getByRole('button', { name: 'Download transactions (CSV)' })).toHaveProperty('disabled', true);
  });

  it.each([
    ['BAD_USER_INPUT', refusal('BAD_USER_INPUT', 'range covers at most 366 days.', { field: 'range' }, 400), 'These dates cannot be exported: range covers at most 366 days.'],
    ['RATE_LIMITED', refusal('RATE_LIMITED', 'Too many exports.', { retryAfter: 1500 }, 429), 'You have made many exports this hour. Try again in 25 minutes.'],
    ['SERVICE_UNAVAILABLE', refusal('SERVICE_UNAVAILABLE', 'Exports are temporarily unavailable.', {}, 503), 'Exports are not available just now. Try again in a moment.'],
    ['an answer that is not the error shape', { status: 502, body: 'Bad gateway' } as FakeAnswer, 'Meridian answered unexpectedly. Try again in a moment.'],
    ['a network failure', 'network-error' as const, 'We could not reach Meridian. Check your connection and try again.'],
  ] as const)('explains %s and saves nothing', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.onRoute(ROUTE, answer);
    const { events, save } = setup(bff);
    await download(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(save).not.toHaveBeenCalled();
  });
});
