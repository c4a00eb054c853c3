import { randomUUID } from 'node:crypto';
import type { AccountRecord } from '../../src';
import { ledgerTransferBody, OWN_TRANSFER, startBanking, type BankingHarness, type TestUser } from '../helpers/api-harness';

// The scenario through the API a client uses: concurrent callers move money back and
// forth between one customer's two accounts, about a third are refused for funds, and a third
// of the posted ones are sent again with the same id and input (a lost response). Every replay
// answers POSTED with the same transfer, through the public mutation and the internal ledger API.

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
});
