import { randomUUID } from 'node:crypto';
import { balanceOf, createSimulatedFxRateProvider, FxService, LedgerVerifier, planDemoHistory, seedDemoBanking, DEMO_SEED } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// A seed writes ~600 transfers; on a loaded machine one test can take longer than the default 30 s.
jest.setTimeout(120_000);

let h: LedgerHarness;
let fx: FxService;
const now = new Date('2025-11-20T15:30:00Z');

beforeAll(async () => {
  h = await startLedger();
  fx = new FxService(h.dataSource, h.ledger, h.accounts, { provider: createSimulatedFxRateProvider() });
});
afterAll(() => h.close());

/** Everything a seed run could change, as plain data. */
async function snapshot(ownerId: string) {
  const q = (sql: string, params: unknown[] = []) => h.dataSource.query(sql, params);
  const [counts] = await q(
    `SELECT (SELECT count(*)::int FROM banking.transfers) AS transfers, (SELECT count(*)::int FROM banking.postings) AS postings,
            (SELECT count(*)::int FROM banking.accounts) AS accounts, (SELECT count(*)::int FROM banking.fx_quotes) AS quotes,
            (SELECT last_hash FROM banking.ledger_head) AS head`,
  );
  const balances = await q(
    `SELECT type, currency, credits_posted - debits_posted AS posted FROM banking.accounts WHERE owner_id = $1 ORDER BY type`,
    [ownerId],
  );
  return { counts, balances };
}

describe('demo banking seed', () => {
  it('plans the same history every time from the fixed seed, a year long', () => {
    const a = planDemoHistory(DEMO_SEED, now);
    const b = planDemoHistory(DEMO_SEED, new Date('2025-11-20T23:59:59Z'));
    expect(b).toEqual(a);
    expect(a.from).toEqual(new Date('2024-11-20T00:00:00Z'));
    expect(planDemoHistory(DEMO_SEED + 1, now).steps).not.toEqual(a.steps);
    const keys = a.steps.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    const codes = new Set(a.steps.map((s) => (s.kind === 'transfer' ? s.code : 'FX')));
    for (const code of ['SALARY', 'STANDING_ORDER', 'DIRECT_DEBIT', 'CARD_PAYMENT', 'TRANSFER', 'CASHBACK', 'FX']) expect(codes).toContain(code);
    const salaries = a.steps.filter((s) => s.kind === 'transfer' && s.code === 'SALARY');
    expect(salaries).toHaveLength(12);
    const groceries = a.steps.filter((s) => s.kind === 'transfer' && s.category === 'groceries');
    expect(groceries.length).toBeGreaterThanOrEqual(52);
    for (const step of a.steps) {
      expect(step.bookedAt.getTime()).toBeGreaterThanOrEqual(a.from.getTime());
      expect(step.bookedAt.getTime()).toBeLessThan(new Date('2025-11-21T00:00:00Z').getTime());
    }
  });

  it('seeds a current, a savings and a wallet account with a year of history that never overdraws', async () => {
    const owner = randomUUID();
    const seeded = await seedDemoBanking({ accounts: h.accounts, ledger: h.ledger, fx, ownerId: owner, now });
    expect(seeded.created).toBeGreaterThan(300);
    expect(seeded.created + seeded.skipped).toBe(seeded.planned);
    expect(seeded.complete).toBe(true);
    const { current, savings, wallet } = seeded.accounts;
    expect([current.type, current.currency, savings.type, savings.currency, wallet.type, wallet.currency]).toEqual(['CURRENT', 'GBP', 'SAVINGS', 'GBP', 'WALLET', 'EUR']);
    for (const account of [current, savings, wallet]) {
      const reloaded = await h.reload(account.id);
      expect(balanceOf(reloaded).posted).toBeGreaterThan(0n);
    }
    // No posting anywhere left a customer balance below zero.
    const [{ negative }] = await h.dataSource.query(
      `SELECT count(*)::int AS negative FROM banking.postings p JOIN banking.accounts a ON a.id = p.account_id
       WHERE a.kind = 'CUSTOMER' AND p.balance_after < 0`,
    );
    expect(negative).toBe(0);
    // Every currency sums to zero, and the whole ledger verifies.
    const totals: { currency: string; total: string }[] = await h.dataSource.query(
      `SELECT currency, sum(credits_posted - debits_posted)::text AS total FROM banking.accounts GROUP BY currency`,
    );
    expect(totals.every((t) => t.total === '0')).toBe(true);
    const report = await new LedgerVerifier(h.dataSource).verify();
    expect(report.mismatch).toBeNull();
    // The real dates travel in the metadata; FX top-ups went through quotes at their booking time.
    const [{ first, last }] = await h.dataSource.query(
      `SELECT min(metadata->>'bookedAt') AS first, max(metadata->>'bookedAt') AS last FROM banking.transfers t
       JOIN banking.postings p ON p.transfer_id = t.id WHERE p.account_id = $1`,
      [current.id],
    );
    expect(first.slice(0, 10)).toBe('2024-11-20');
    expect(last.slice(0, 10)).toBe('2025-11-20');
    const conversions = await h.dataSource.query(
      `SELECT t.id, q.created_at FROM banking.transfers t JOIN banking.fx_quotes q ON q.used_by_transfer = t.id WHERE q.owner_id = $1`,
      [owner],
    );
    expect(conversions.length).toBeGreaterThanOrEqual(5);
  });

  it('changes nothing when run again, even on a later day', async () => {
    const owner = randomUUID();
    const first = await seedDemoBanking({ accounts: h.accounts, ledger: h.ledger, fx, ownerId: owner, now });
    const before = await snapshot(owner);
    const again = await seedDemoBanking({ accounts: h.accounts, ledger: h.ledger, fx, ownerId: owner, now: new Date('2026-02-01T00:00:00Z') });
    expect(again).toMatchObject({ created: 0, skipped: 0, complete: true, planned: first.planned, until: first.until });
    expect(again.accounts.current.id).toBe(first.accounts.current.id);
    expect(await snapshot(owner)).toEqual(before);
  });

  it('finishes an interrupted run without writing anything twice', async () => {
    const owner = randomUUID();
    // A first run cut short: the same plan, ended early by a ledger that stops after 40 transfers.
    let budget = 40;
    const flaky = Object.create(h.ledger) as typeof h.ledger;
    flaky.createTransfer = async (input) => {
      if (budget-- <= 0) throw new Error('process killed');
      return h.ledger.createTransfer(input);
    };
    await expect(seedDemoBanking({ accounts: h.accounts, ledger: flaky, fx, ownerId: owner, now })).rejects.toThrow('process killed');

    const resumed = await seedDemoBanking({ accounts: h.accounts, ledger: h.ledger, fx, ownerId: owner, now: new Date('2026-01-05T00:00:00Z') });
    expect(resumed.complete).toBe(true);
    expect(resumed.until).toEqual(now);
    const other = randomUUID();
    const clean = await seedDemoBanking({ accounts: h.accounts, ledger: h.ledger, fx, ownerId: other, now });
    // Same number of transfers and the same balances as a run that was never interrupted.
    const count = async (ownerId: string) => {
      const [{ n }] = await h.dataSource.query(
        `SELECT count(DISTINCT p.transfer_id)::int AS n FROM banking.postings p JOIN banking.accounts a ON a.id = p.account_id WHERE a.owner_id = $1`,
        [ownerId],
      );
      return n;
    };
    expect(await count(owner)).toBe(await count(other));
    expect(await count(owner)).toBe(clean.created);
    expect((await snapshot(owner)).balances).toEqual((await snapshot(other)).balances);
  });

  it('tops the wallet up from EUR clearing when no FX service is given', async () => {
    const owner = randomUUID();
    const seeded = await seedDemoBanking({ accounts: h.accounts, ledger: h.ledger, ownerId: owner, now });
    expect(seeded.complete).toBe(true);
    expect(balanceOf(await h.reload(seeded.accounts.wallet.id)).posted).toBeGreaterThan(0n);
    const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.fx_quotes WHERE owner_id = $1`, [owner]);
    expect(n).toBe(0);
  });
});
