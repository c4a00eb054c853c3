import { randomUUID } from 'node:crypto';
import { DomainError } from '@meridian/platform';
import { LedgerService, LedgerVerifier, type AccountRecord, type PostingInput, type TransferInput } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// The bank test in the spirit of Jepsen's: concurrent workers, split between two
// ledger services as between two processes (each plans on its own forecast, which
// the other keeps making stale), move money among 20 customer accounts (single transfers, splits, holds posted in part or voided,
// and transfers that must fail for want of funds) while readers take snapshot
// reads of every balance. Money must never appear or vanish in any snapshot, no
// customer may go below zero, and afterwards the chain and every balance verify.
//
// On a real PostgreSQL it runs 16 workers for 10 s. The embedded PGlite executes
// one transaction at a time, so there it runs a shortened 3 s with 4 workers.

const realPostgres = Boolean(process.env.DATABASE_URL);
const SECONDS = realPostgres ? 10 : 3;
/** On a loaded machine the workers go on past SECONDS, up to this, until enough has happened for the test to mean something. */
const MAX_SECONDS = SECONDS * 3;
const WORKERS = realPostgres ? 16 : 4;
const READERS = 2;
const ACCOUNTS = 20;
const FUNDING = 100_000n; // minor units per account
const TOTAL = FUNDING * BigInt(ACCOUNTS);

let h: LedgerHarness;
/** Two ledgers on the same database, as two processes of the banking service. */
let ledgers: LedgerService[];
let customers: AccountRecord[];
let clearing: AccountRecord;

beforeAll(async () => {
  h = await startLedger(24);
  const owner = randomUUID();
  customers = [];
  for (let i = 0; i < ACCOUNTS; i++) customers.push(await h.fundedAccount(owner, 'USD', FUNDING));
  clearing = await h.accounts.systemAccount('CLEARING', 'USD');
  ledgers = [h.ledger, new LedgerService(h.dataSource)];
}, 60_000);
afterAll(() => h.close());

/** What the workers saw; every field is asserted on. */
interface Tally {
  posted: number;
  insufficient: number;
  /** Transfers of more than all the money there is: each must fail with INSUFFICIENT_FUNDS. */
  impossibleRefused: number;
  impossibleAccepted: number;
  holds: number;
  holdsPosted: number;
  holdsVoided: number;
  holdsLeftOpen: number;
  unexpected: unknown[];
}

/** One snapshot: every USD balance read in one REPEATABLE READ transaction, in two statements. */
interface Snapshot {
  customerTotal: bigint;
  grandTotal: bigint;
  pendingTotal: bigint;
  lowestCustomer: bigint;
  lowestAvailable: bigint;
  customers: number;
}

const random = (n: number) => Math.floor(Math.random() * n);
const amount = (max: bigint) => 1n + BigInt(random(Number(max)));

function pickDistinct(n: number): AccountRecord[] {
  const picked = new Set<number>();
  while (picked.size < n) picked.add(random(customers.length));
  return [...picked].map((i) => customers[i]);
}

function simple(from: AccountRecord, to: AccountRecord, minor: bigint, extra: Partial<TransferInput> = {}): TransferInput {
  return {
    id: randomUUID(),
    code: 'TRANSFER',
    postings: [
      { accountId: from.id, direction: 'DEBIT', amount: minor, currency: 'USD' },
      { accountId: to.id, direction: 'CREDIT', amount: minor, currency: 'USD' },
    ],
    ...extra,
  };
}

/** Counts an expected refusal, keeps anything else for the assertions. */
function settle(tally: Tally, err: unknown): void {
  if (err instanceof DomainError && err.code === 'INSUFFICIENT_FUNDS') tally.insufficient += 1;
  else tally.unexpected.push(err);
}

async function worker(ledger: LedgerService, running: () => boolean, tally: Tally): Promise<void> {
  while (running()) {
    const roll = Math.random();
    try {
      if (roll < 0.1) {
        // More than all the customers hold together: must be refused whatever the interleaving.
        const [from, to] = pickDistinct(2);
        try {
          await ledger.createTransfer(simple(from, to, TOTAL + amount(1_000n)));
          tally.impossibleAccepted += 1;
        } catch (err) {
          if (err instanceof DomainError && err.code === 'INSUFFICIENT_FUNDS') tally.impossibleRefused += 1;
          else throw err;
        }
      } else if (roll < 0.6) {
        // Up to 1.5 times the average balance, so a good share fails for want of funds.
        const [from, to] = pickDistinct(2);
        await ledger.createTransfer(simple(from, to, amount((FUNDING * 3n) / 2n)));
        tally.posted += 1;
      } else if (roll < 0.75) {
        // A split: two debits into one credit, or one debit into three credits.
        const [a, b, c, d] = pickDistinct(4);
        const x = amount(FUNDING / 2n);
        const y = amount(FUNDING / 2n);
        const postings: PostingInput[] =
          Math.random() < 0.5
            ? [
                { accountId: a.id, direction: 'DEBIT', amount: x, currency: 'USD' },
                { accountId: b.id, direction: 'DEBIT', amount: y, currency: 'USD' },
                { accountId: c.id, direction: 'CREDIT', amount: x + y, currency: 'USD' },
              ]
            : [
                { accountId: a.id, direction: 'DEBIT', amount: x + y + 1n, currency: 'USD' },
                { accountId: b.id, direction: 'CREDIT', amount: x, currency: 'USD' },
                { accountId: c.id, direction: 'CREDIT', amount: y, currency: 'USD' },
                { accountId: d.id, direction: 'CREDIT', amount: 1n, currency: 'USD' },
              ];
        await ledger.createTransfer({ id: randomUUID(), code: 'SPLIT', postings });
        tally.posted += 1;
      } else {
        // A hold, then (after letting others run) a partial or full post, a void, or nothing.
        const [from, to] = pickDistinct(2);
        const reserved = amount(FUNDING);
        const hold = await ledger.createTransfer(simple(from, to, reserved, { pendingTimeoutSeconds: 3_600 }));
        tally.holds += 1;
        await new Promise((resolve) => setTimeout(resolve, random(20)));
        const next = Math.random();
        if (next < 0.45) {
          await ledger.postPending({ id: randomUUID(), pendingId: hold.id, amount: amount(reserved) });
          tally.holdsPosted += 1;
        } else if (next < 0.6) {
          await ledger.postPending({ id: randomUUID(), pendingId: hold.id });
          tally.holdsPosted += 1;
        } else if (next < 0.95) {
          await ledger.voidPending({ id: randomUUID(), pendingId: hold.id });
          tally.holdsVoided += 1;
        } else {
          tally.holdsLeftOpen += 1;
        }
      }
    } catch (err) {
      settle(tally, err);
    }
  }
}

async function snapshot(): Promise<Snapshot> {
  return h.dataSource.transaction('REPEATABLE READ', async (m) => {
    // Two statements on purpose: only the transaction's snapshot makes them agree.
    const mine: Record<string, string>[] = await m.query(
      `SELECT credits_posted - debits_posted AS balance, credits_posted - debits_posted - debits_pending AS available,
              credits_pending - debits_pending AS pending
       FROM banking.accounts WHERE kind = 'CUSTOMER' AND currency = 'USD'`,
    );
    const system: Record<string, string>[] = await m.query(
      `SELECT credits_posted - debits_posted AS balance, credits_pending - debits_pending AS pending
       FROM banking.accounts WHERE kind = 'SYSTEM' AND currency = 'USD'`,
    );
    const customerTotal = mine.reduce((sum, r) => sum + BigInt(r.balance), 0n);
    return {
      customerTotal,
      grandTotal: customerTotal + system.reduce((sum, r) => sum + BigInt(r.balance), 0n),
      pendingTotal: [...mine, ...system].reduce((sum, r) => sum + BigInt(r.pending), 0n),
      lowestCustomer: mine.reduce((low, r) => (BigInt(r.balance) < low ? BigInt(r.balance) : low), FUNDING * 1_000n),
      lowestAvailable: mine.reduce((low, r) => (BigInt(r.available) < low ? BigInt(r.available) : low), FUNDING * 1_000n),
      customers: mine.length,
    };
  });
}

async function reader(running: () => boolean, bad: Snapshot[], count: { n: number }): Promise<void> {
  while (running()) {
    const s = await snapshot();
    count.n += 1;
    const sound =
      s.customers === ACCOUNTS && s.customerTotal === TOTAL && s.grandTotal === 0n && s.pendingTotal === 0n && s.lowestCustomer >= 0n && s.lowestAvailable >= 0n;
    if (!sound) bad.push(s);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('bank invariants under concurrent transfers', () => {
  it(
    `keeps every snapshot balanced with ${WORKERS} workers for ${SECONDS} s or more${realPostgres ? '' : ' (shortened for the embedded PGlite)'}`,
    async () => {
      const tally: Tally = {
        posted: 0,
        insufficient: 0,
        impossibleRefused: 0,
        impossibleAccepted: 0,
        holds: 0,
        holdsPosted: 0,
        holdsVoided: 0,
        holdsLeftOpen: 0,
        unexpected: [],
      };
      const bad: Snapshot[] = [];
      const reads = { n: 0 };
      const verifiedDuringTraffic: boolean[] = [];
      const minimum = realPostgres ? 300 : 40;
      const started = Date.now();
      const enough = () =>
        tally.posted + tally.holdsPosted > minimum && tally.insufficient > minimum / 10 && tally.impossibleRefused > minimum / 20 && tally.holdsPosted > 0 && tally.holdsVoided > 0;
      let stopped = false;
      const running = () => {
        stopped ||= Date.now() > started + MAX_SECONDS * 1_000 || (Date.now() > started + SECONDS * 1_000 && enough());
        return !stopped;
      };
      await Promise.all([
        ...Array.from({ length: WORKERS }, (_, i) => worker(ledgers[i % 2], running, tally)),
        ...Array.from({ length: READERS }, () => reader(running, bad, reads)),
        // The verifier reads one snapshot too, so it must agree with itself while money moves.
        (async () => {
          while (running()) {
            verifiedDuringTraffic.push((await new LedgerVerifier(h.dataSource).verify()).ok);
            await new Promise((resolve) => setTimeout(resolve, 1_000));
          }
        })(),
      ]);

      expect(tally.unexpected).toEqual([]);
      expect(bad).toEqual([]);
      expect(tally.impossibleAccepted).toBe(0);
      // Enough happened for the test to mean something, and both outcomes occurred.
      expect(tally.posted + tally.holdsPosted).toBeGreaterThan(minimum);
      expect(tally.insufficient).toBeGreaterThan(minimum / 10);
      expect(tally.impossibleRefused).toBeGreaterThan(minimum / 20);
      expect(tally.holdsPosted).toBeGreaterThan(0);
      expect(tally.holdsVoided).toBeGreaterThan(0);
      expect(reads.n).toBeGreaterThan(realPostgres ? 100 : 10);
      expect(verifiedDuringTraffic.length).toBeGreaterThan(0);
      expect(verifiedDuringTraffic.every(Boolean)).toBe(true);

      const after = await snapshot();
      expect(after).toMatchObject({ customerTotal: TOTAL, grandTotal: 0n, pendingTotal: 0n });
      expect(after.lowestAvailable).toBeGreaterThanOrEqual(0n);
      const system = await h.reload(clearing.id);
      expect(system.debitsPosted - system.creditsPosted).toBe(TOTAL);

      const report = await new LedgerVerifier(h.dataSource).verify();
      expect(report.mismatch).toBeNull();
      const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.transfers`);
      expect(report.transfers).toBe(n);

      // Independently of the verifier: every counter is the sum of its postings.
      const drift = await h.dataSource.query(`
        SELECT a.id FROM banking.accounts a
        LEFT JOIN LATERAL (
          SELECT
            coalesce(sum(p.amount) FILTER (WHERE NOT p.pending AND p.direction = 'DEBIT'), 0) AS dp,
            coalesce(sum(p.amount) FILTER (WHERE NOT p.pending AND p.direction = 'CREDIT'), 0) AS cp,
            coalesce(sum(p.amount) FILTER (WHERE p.pending AND t.status = 'PENDING' AND p.direction = 'DEBIT'), 0) AS dpe,
            coalesce(sum(p.amount) FILTER (WHERE p.pending AND t.status = 'PENDING' AND p.direction = 'CREDIT'), 0) AS cpe
          FROM banking.postings p JOIN banking.transfers t ON t.id = p.transfer_id
          WHERE p.account_id = a.id
        ) s ON true
        WHERE (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending) <> (s.dp, s.cp, s.dpe, s.cpe)`);
      expect(drift).toEqual([]);
    },
    (MAX_SECONDS + 60) * 1_000,
  );
});
