import { randomUUID } from 'node:crypto';
import type { AccountRecord } from '../../src';
import { ledgerTransferBody, OWN_TRANSFER, startBanking, type BankingHarness, type TestUser } from '../helpers/api-harness';

// The scenario through the API a client uses: concurrent callers move money back and
// forth between one customer's two accounts, about a third are refused for funds, and a third
// of the posted ones are sent again with the same id and input (a lost response). Every replay
// answers POSTED with the same transfer, through the public mutation and the internal ledger API.
// Posts and voids of pending transfers are replayed the same way: twice at once, then again.

let h: BankingHarness;
let alice: TestUser;
let current: AccountRecord;
let savings: AccountRecord;
beforeAll(async () => {
  h = await startBanking();
  alice = await h.user();
  current = await h.account(alice.id, 'EUR', 1_000_00n);
  savings = await h.account(alice.id, 'EUR', 1_000_00n, 'SAVINGS');
});
afterAll(() => h.close());

type Said = { status: string; seq?: string };

async function underLoad(send: (id: string, forward: boolean, amount: string) => Promise<Said>) {
  const answers = new Map<string, Said[]>();
  let refused = 0;
  let replays = 0;
  // A fixed number of rounds, not a time budget: on a busy machine the scenario stays the same size.
  await Promise.all(
    Array.from({ length: 16 }, async (_, caller) => {
      for (let n = 0; n < 12; n++) {
        const id = randomUUID();
        const forward = (caller + n) % 2 === 0;
        const amount = `${400 + ((caller * 37 + n * 53) % 700)}.00`;
        const first = await send(id, forward, amount);
        answers.set(id, [first]);
        if (first.status !== 'POSTED') refused += 1;
        else if ((caller + n) % 3 === 0) {
          replays += 1;
          answers.get(id)!.push(await send(id, forward, amount));
        }
      }
    }),
  );
  const lies = [...answers].filter(([, said]) => said[0].status === 'POSTED' && said.some((s) => s.status !== 'POSTED' || s.seq !== said[0].seq));
  return { lies, refused, replays };
}

describe('replays through the API', () => {
  it('transferBetweenOwnAccounts: every replay of a posted transfer answers it', async () => {
    const { lies, refused, replays } = await underLoad(async (transferId, forward, amount) => {
      const input = { transferId, fromAccountId: forward ? current.id : savings.id, toAccountId: forward ? savings.id : current.id, amount };
      const res = await h.gql(OWN_TRANSFER, { input }, { user: alice });
      const transfer = res.data?.transferBetweenOwnAccounts as { status: string; createdAt: string } | undefined;
      return transfer ? { status: transfer.status, seq: transfer.createdAt } : { status: String(res.errors?.[0].extensions?.code) };
    });
    expect(lies).toEqual([]);
    expect(refused).toBeGreaterThan(5);
    expect(replays).toBeGreaterThan(5);
  });

  it('the internal ledger API: every replay of a posted transfer answers it', async () => {
    const { lies, refused, replays } = await underLoad(async (id, forward, amount) => {
      const body = ledgerTransferBody(forward ? current.id : savings.id, forward ? savings.id : current.id, amount, { id });
      const res = await h.internal('POST', '/internal/ledger/transfers', body);
      return res.status === 200 ? { status: res.body.status, seq: res.body.createdAt } : { status: res.body.error.code };
    });
    expect(lies).toEqual([]);
    expect(refused).toBeGreaterThan(5);
    expect(replays).toBeGreaterThan(5);
  });

  it('the internal ledger API: a post or void of a hold sent twice at once and again afterwards answers what is stored, and resolves it once', async () => {
    const holds: string[] = [];
    for (let i = 0; i < 16; i++) {
      const body = ledgerTransferBody(current.id, savings.id, '10.00', { pendingTimeoutSeconds: 3600 });
      const res = await h.internal('POST', '/internal/ledger/transfers', body);
      expect(res.status).toBe(200);
      holds.push(body.id);
    }
    // Every other hold is posted (every fourth in part), the rest voided; each resolution has its own id.
    const resolutions = holds.map((pendingId, i) => ({
      pendingId,
      action: i % 2 === 0 ? ('post' as const) : ('void' as const),
      body: { id: randomUUID(), ...(i % 4 === 0 ? { amount: '4.00' } : {}) },
    }));
    const send = (r: (typeof resolutions)[number], body: Record<string, unknown> = r.body) =>
      h.internal('POST', `/internal/ledger/transfers/${r.pendingId}/${r.action}`, body);

    // All holds at once, each resolution sent twice at the same moment.
    const atOnce = await Promise.all(resolutions.map((r) => Promise.all([send(r), send(r)])));
    // Then each again, as a client whose response was lost, and once under the same id with other content.
    const after = await Promise.all(resolutions.map((r) => send(r)));
    const reused = await Promise.all(
      resolutions.map((r, i) =>
        r.action === 'post'
          ? send(r, { id: r.body.id, amount: '3.00' })
          : h.internal('POST', `/internal/ledger/transfers/${holds[(i + 2) % holds.length]}/void`, { id: r.body.id }),
      ),
    );
    const otherAction = await Promise.all(resolutions.map((r) => h.internal('POST', `/internal/ledger/transfers/${r.pendingId}/${r.action === 'post' ? 'void' : 'post'}`, { id: r.body.id })));

    for (const [i, r] of resolutions.entries()) {
      const stored = await h.internal('GET', `/internal/ledger/transfers/${r.body.id}`);
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({ phase: r.action === 'post' ? 'POST_PENDING' : 'VOID_PENDING', pendingId: r.pendingId, status: 'POSTED' });
      for (const answer of [...atOnce[i], after[i]]) expect({ resolution: i, status: answer.status, body: answer.body }).toEqual({ resolution: i, status: 200, body: stored.body });
      // The id with other content (another amount, another hold, the other action): the key reused, never a fresh decision.
      expect({ resolution: i, code: reused[i].body.error?.code }).toEqual({ resolution: i, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect({ resolution: i, code: otherAction[i].body.error?.code }).toEqual({ resolution: i, code: 'IDEMPOTENCY_KEY_REUSED' });
      const hold = await h.internal('GET', `/internal/ledger/transfers/${r.pendingId}`);
      expect(hold.body.status).toBe(r.action === 'post' ? 'POSTED' : 'VOIDED');
    }
    const perHold: { pending_id: string; n: number }[] = await h.server.dataSource.query(
      `SELECT pending_id, count(*)::int AS n FROM banking.transfers WHERE pending_id = ANY($1::uuid[]) GROUP BY pending_id`,
      [holds],
    );
    expect(perHold.map((row) => row.n)).toEqual(holds.map(() => 1));
  });
});
