import { randomUUID } from 'node:crypto';
import { checkRouteProtection, type ProbeResponse } from '@meridian/platform/testing';
import type { AccountRecord } from '../../src';
import { ledgerTransferBody, startBanking, type BankingHarness } from '../helpers/api-harness';

let h: BankingHarness;
let from: AccountRecord;
let to: AccountRecord;
beforeAll(async () => {
  h = await startBanking();
  const owner = randomUUID();
  from = await h.account(owner, 'EUR', 1_000_000_00n);
  to = await h.account(owner, 'EUR');
});
afterAll(() => h.close());

const transfer = (overrides: Record<string, unknown> = {}) => ledgerTransferBody(from.id, to.id, '0.01', overrides);

/** A hold the probe keeps resolving: the first right call resolves it, later ones are the handler's CONFLICT. */
async function pendingTransfer(): Promise<string> {
  const body = transfer({ pendingTimeoutSeconds: 3600 });
  const res = await h.internal('POST', '/internal/ledger/transfers', body);
  expect(res.status).toBe(200);
  return body.id;
}

/** The handler resolved the hold (`phase`), or said it was resolved already. */
const resolvedOrConflict = (phase: string) => (res: ProbeResponse) =>
  (res.status === 200 && res.json?.phase === phase) || (res.status === 409 && res.json?.error?.code === 'CONFLICT');
const ledgerCaller = { caller: 'payments', refusedCallers: ['gateway', 'bff-web', 'bff-mobile'] };
// Writes are for LEDGER_API_CALLERS only: a reader (insights) is refused too.
const ledgerWriter = { caller: 'payments', refusedCallers: ['gateway', 'bff-web', 'bff-mobile', 'insights'] };

// Thousands of requests: a generous timeout, since CI machines are shared.
describe('banking route protection', () => {
  it('lets only LEDGER_API_CALLERS write through the ledger API (LEDGER_READ_CALLERS read too) and only the gateway and BFFs reach /graphql, however the target is spelled', async () => {
    const transfersBefore = await h.count('transfers');
    const existing = transfer();
    expect((await h.internal('POST', '/internal/ledger/transfers', existing)).status).toBe(200);
    const toPost = await pendingTransfer();
    const toVoid = await pendingTransfer();
    let created = 0;

    const report = await checkRouteProtection({
      app: h.server.app,
      audience: 'banking',
      keys: h.serviceKeys,
      publicRoutes: [
        { url: '/health/live', methods: ['GET', 'HEAD'] },
        { url: '/health/ready', methods: ['GET', 'HEAD'] },
        { url: '/metrics', methods: ['GET'] },
      ],
      probes: [
        {
          method: 'POST',
          route: '/graphql',
          body: () => ({ query: '{ _service { sdl } }' }),
          caller: 'bff-web',
          refusedCallers: ['payments'],
          reachedHandler: (res) => typeof res.json?.data?._service?.sdl === 'string',
        },
        {
          method: 'POST',
          route: '/internal/ledger/transfers',
          body: () => transfer(),
          ...ledgerWriter,
          reachedHandler: (res) => {
            const reached = res.status === 200 && res.json?.status === 'POSTED';
            if (reached) created += 1;
            return reached;
          },
        },
        {
          method: 'POST',
          route: '/internal/ledger/transfers/:pendingId/post',
          path: `/internal/ledger/transfers/${toPost}/post`,
          body: () => ({ id: randomUUID() }),
          ...ledgerWriter,
          reachedHandler: resolvedOrConflict('POST_PENDING'),
        },
        {
          method: 'POST',
          route: '/internal/ledger/transfers/:pendingId/void',
          path: `/internal/ledger/transfers/${toVoid}/void`,
          body: () => ({ id: randomUUID() }),
          ...ledgerWriter,
          reachedHandler: resolvedOrConflict('VOID_PENDING'),
        },
        {
          method: 'GET',
          route: '/internal/ledger/transfers/:id',
          path: `/internal/ledger/transfers/${existing.id}`,
          ...ledgerCaller,
          reachedHandler: (res) => res.status === 200 && res.json?.id === existing.id,
        },
        {
          method: 'GET',
          route: '/internal/ledger/accounts/:id/balance',
          path: `/internal/ledger/accounts/${from.id}/balance`,
          ...ledgerCaller,
          reachedHandler: (res) => res.status === 200 && typeof res.json?.available === 'string',
        },
        {
          method: 'GET',
          route: '/internal/ledger/accounts/:id',
          path: `/internal/ledger/accounts/${from.id}`,
          ...ledgerCaller,
          reachedHandler: (res) => res.status === 200 && res.json?.id === from.id,
        },
        {
          method: 'GET',
          route: '/internal/ledger/users/:userId/accounts',
          path: `/internal/ledger/users/${from.ownerId}/accounts`,
          ...ledgerCaller,
          reachedHandler: (res) => res.status === 200 && Array.isArray(res.json?.accounts),
        },
        {
          method: 'GET',
          route: '/internal/ledger/history',
          path: '/internal/ledger/history?limit=2',
          caller: 'insights',
          refusedCallers: ['gateway', 'bff-web', 'bff-mobile'],
          reachedHandler: (res) => res.status === 200 && Array.isArray(res.json?.transfers),
        },
        {
          method: 'POST',
          route: '/internal/ledger/system-accounts',
          body: () => ({ type: 'CLEARING', currency: 'EUR' }),
          ...ledgerWriter,
          reachedHandler: (res) => res.status === 200 && res.json?.kind === 'SYSTEM',
        },
      ],
    });
    expect(report.violations).toEqual([]);
    expect(report.attempts).toBeGreaterThan(1_000);
    // Only requests with payments' own token wrote anything: the probes' setup, the first post and void, and each transfer the handler answered.
    expect(await h.count('transfers')).toBe(transfersBefore + 3 + 2 + created);
  }, 300_000);
});
