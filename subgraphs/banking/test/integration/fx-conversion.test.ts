import { randomUUID } from 'node:crypto';
import { balanceOf, convertAmount, createSimulatedFxRateProvider, FxService, fxTransferIdFor } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

let h: LedgerHarness;
let clock: Date;
let fx: FxService;
const provider = createSimulatedFxRateProvider();

beforeAll(async () => {
  h = await startLedger();
});
afterAll(() => h.close());
beforeEach(() => {
  clock = new Date('2025-06-01T12:00:00Z');
  fx = new FxService(h.dataSource, h.ledger, h.accounts, { provider, quoteTtlSeconds: 30, now: () => clock });
});

/** Per-currency sum of every posted balance: zero in a sound ledger. */
async function totals(): Promise<Record<string, string>> {
  const rows: { currency: string; total: string }[] = await h.dataSource.query(
    `SELECT currency, sum(credits_posted - debits_posted)::text AS total FROM banking.accounts GROUP BY currency ORDER BY currency`,
  );
  return Object.fromEntries(rows.map((r) => [r.currency, r.total]));
}

async function counts() {
  const [row] = await h.dataSource.query(
    `SELECT (SELECT count(*)::int FROM banking.transfers) AS transfers, (SELECT count(*)::int FROM banking.postings) AS postings,
            (SELECT count(*)::int FROM banking.outbox) AS outbox`,
  );
  return row as { transfers: number; postings: number; outbox: number };
}

describe('FX quotes', () => {
  it('stores a quote with the provider’s rate, the buy amount rounded down in integers, and a 30 s expiry', async () => {
    const owner = randomUUID();
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'JPY', sellAmount: 12_345n });
    const price = await provider.rate('GBP', 'JPY', clock);
    expect(quote).toMatchObject({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'JPY', sellAmount: 12_345n, rate: price.rate, provider: 'simulated', usedByTransfer: null });
    expect(quote.buyAmount).toBe(convertAmount(12_345n, 'GBP', 'JPY', price.rate));
    expect(quote.expiresAt).toEqual(new Date('2025-06-01T12:00:30Z'));
    // As stored: PostgreSQL's numeric prints the same 12 places.
    expect(await fx.getQuote(quote.id, owner)).toEqual(quote);
  });

  it('returns the stored quote for a replayed id and refuses the id for another request', async () => {
    const owner = randomUUID();
    const id = randomUUID();
    const first = await fx.quote({ id, ownerId: owner, sellCurrency: 'EUR', buyCurrency: 'USD', sellAmount: 10_000n });
    clock = new Date(clock.getTime() + 120_000); // the rate has moved since
    expect(await fx.quote({ id, ownerId: owner, sellCurrency: 'EUR', buyCurrency: 'USD', sellAmount: 10_000n })).toEqual(first);
    await expect(fx.quote({ id, ownerId: owner, sellCurrency: 'EUR', buyCurrency: 'USD', sellAmount: 10_001n })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it.each([
    ['the same currency twice', { sellCurrency: 'EUR', buyCurrency: 'EUR', sellAmount: 100n }, 'buyCurrency'],
    ['an unknown currency', { sellCurrency: 'EUR', buyCurrency: 'CHF', sellAmount: 100n }, 'currency'],
    ['a zero amount', { sellCurrency: 'EUR', buyCurrency: 'USD', sellAmount: 0n }, 'sellAmount'],
    ['a negative amount', { sellCurrency: 'EUR', buyCurrency: 'USD', sellAmount: -5n }, 'sellAmount'],
    ['an amount beyond 64 bits', { sellCurrency: 'EUR', buyCurrency: 'USD', sellAmount: 2n ** 63n }, 'sellAmount'],
    ['an amount too small to buy a minor unit', { sellCurrency: 'JPY', buyCurrency: 'GBP', sellAmount: 1n }, 'sellAmount'],
  ])('refuses %s with BAD_USER_INPUT', async (_, request, field) => {
    await expect(fx.quote({ ownerId: randomUUID(), ...request })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field } });
  });

  it('keeps a quote from anyone but its owner', async () => {
    const quote = await fx.quote({ ownerId: randomUUID(), sellCurrency: 'EUR', buyCurrency: 'USD', sellAmount: 100n });
    expect(await fx.getQuote(quote.id, randomUUID())).toBeNull();
  });
});

describe('FX conversion', () => {
  it('moves money in one transfer of four postings, balanced per currency through the FX accounts', async () => {
    const owner = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 50_000n);
    const eur = await h.fundedAccount(owner, 'EUR', 0n, 'WALLET');
    const totalsBefore = await totals();
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 20_000n });
    clock = new Date(clock.getTime() + 29_000);

    const { transfer, quote: used } = await fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eur.id });
    const fxGbp = await h.accounts.systemAccount('FX', 'GBP');
    const fxEur = await h.accounts.systemAccount('FX', 'EUR');
    expect(transfer).toMatchObject({ id: fxTransferIdFor(quote.id), code: 'FX_CONVERSION', status: 'POSTED', causedBy: `fx-quote:${quote.id}` });
    expect(transfer.metadata).toEqual({ quoteId: quote.id, rate: quote.rate, provider: 'simulated', quotedAt: '2025-06-01T12:00:00.000Z' });
    expect(transfer.postings.map((p) => [p.accountId, p.direction, p.amount, p.currency])).toEqual([
      [gbp.id, 'DEBIT', 20_000n, 'GBP'],
      [fxGbp.id, 'CREDIT', 20_000n, 'GBP'],
      [fxEur.id, 'DEBIT', quote.buyAmount, 'EUR'],
      [eur.id, 'CREDIT', quote.buyAmount, 'EUR'],
    ]);
    expect(balanceOf(await h.reload(gbp.id)).posted).toBe(30_000n);
    expect(balanceOf(await h.reload(eur.id)).posted).toBe(quote.buyAmount);
    expect(used.usedByTransfer).toBe(transfer.id);
    expect((await fx.getQuote(quote.id, owner))!.usedByTransfer).toBe(transfer.id);
    // Every currency still sums to zero, and nothing moved between currencies outside FX.
    expect(await totals()).toEqual(totalsBefore);
    expect(Object.values(await totals()).every((t) => t === '0')).toBe(true);
  });

  it('converts a quote once: a replay, even after expiry, returns the same transfer', async () => {
    const owner = randomUUID();
    const usd = await h.fundedAccount(owner, 'USD', 10_000n);
    const jpy = await h.fundedAccount(owner, 'JPY', 0n, 'WALLET');
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'USD', buyCurrency: 'JPY', sellAmount: 4_000n });
    const request = { quoteId: quote.id, ownerId: owner, fromAccountId: usd.id, toAccountId: jpy.id };
    const first = await fx.convert(request);
    const before = await counts();
    clock = new Date(clock.getTime() + 3_600_000);
    const again = await fx.convert(request);
    expect(again.transfer.id).toBe(first.transfer.id);
    expect(again.transfer.seq).toBe(first.transfer.seq);
    expect(await counts()).toEqual(before);
    expect(balanceOf(await h.reload(usd.id)).posted).toBe(6_000n);
  });

  it('converts once when the same quote is converted twenty times at once', async () => {
    const owner = randomUUID();
    const eur = await h.fundedAccount(owner, 'EUR', 10_000n);
    const inr = await h.fundedAccount(owner, 'INR', 0n, 'WALLET');
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'EUR', buyCurrency: 'INR', sellAmount: 1_000n });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: eur.id, toAccountId: inr.id })),
    );
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ transfer: { id: string } }>).value.transfer.id));
    expect(ids.size).toBe(1);
    expect(balanceOf(await h.reload(eur.id)).posted).toBe(9_000n);
    expect(balanceOf(await h.reload(inr.id)).posted).toBe(quote.buyAmount);
  });

  it('answers IDEMPOTENCY_KEY_REUSED for a quote converted once and sent again between other accounts, even after expiry', async () => {
    const owner = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 10_000n);
    const eurA = await h.fundedAccount(owner, 'EUR', 0n, 'WALLET');
    const eurB = await h.fundedAccount(owner, 'EUR', 0n, 'SAVINGS');
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 1_000n });
    const first = await fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eurA.id });
    const before = await counts();
    await expect(fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eurB.id })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      extensions: { field: 'quoteId' },
    });
    clock = new Date(clock.getTime() + 3_600_000);
    await expect(fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eurB.id })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    // The same request still answers the stored conversion.
    expect((await fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eurA.id })).transfer.seq).toBe(first.transfer.seq);
    expect(await counts()).toEqual(before);
    expect(balanceOf(await h.reload(eurB.id)).posted).toBe(0n);
  });

  it('converts once when one quote is sent between different accounts at once: the others answer the conversion or IDEMPOTENCY_KEY_REUSED', async () => {
    const owner = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 10_000n);
    const eurs = [await h.fundedAccount(owner, 'EUR', 0n, 'WALLET'), await h.fundedAccount(owner, 'EUR', 0n, 'SAVINGS')];
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 1_000n });
    const sent = Array.from({ length: 12 }, (_, i) => eurs[i % 2]);
    const answers = await Promise.all(
      sent.map((to) =>
        fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: to.id }).then(
          ({ transfer }) => ({ to: to.id, said: `CONVERTED ${transfer.id} #${transfer.seq}` }),
          (err: { code?: string }) => ({ to: to.id, said: String(err.code) }),
        ),
      ),
    );
    const stored = await h.ledger.getTransfer(fxTransferIdFor(quote.id));
    const winner = stored!.postings.find((p) => p.direction === 'CREDIT' && eurs.some((e) => e.id === p.accountId))!.accountId;
    for (const { to, said } of answers) {
      expect({ to, said }).toEqual({ to, said: to === winner ? `CONVERTED ${stored!.id} #${stored!.seq}` : 'IDEMPOTENCY_KEY_REUSED' });
    }
    expect(balanceOf(await h.reload(gbp.id)).posted).toBe(9_000n);
  });

  it('refuses an expired quote with CONFLICT and writes nothing', async () => {
    const owner = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 10_000n);
    const eur = await h.fundedAccount(owner, 'EUR', 0n, 'WALLET');
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 1_000n });
    clock = new Date(clock.getTime() + 30_000);
    const before = await counts();
    await expect(fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eur.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      extensions: { field: 'quoteId', reason: 'QUOTE_EXPIRED' },
    });
    expect(await counts()).toEqual(before);
    expect((await fx.getQuote(quote.id, owner))!.usedByTransfer).toBeNull();
  });

  it('answers NOT_FOUND for someone else’s quote or account, without saying which exists', async () => {
    const owner = randomUUID();
    const stranger = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 10_000n);
    const eur = await h.fundedAccount(owner, 'EUR', 0n, 'WALLET');
    const theirGbp = await h.fundedAccount(stranger, 'GBP', 10_000n);
    const theirEur = await h.fundedAccount(stranger, 'EUR', 0n, 'WALLET');
    const mine = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 1_000n });
    const theirs = await fx.quote({ ownerId: stranger, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 1_000n });
    const before = await counts();
    // Their quote, even with their own accounts named.
    await expect(fx.convert({ quoteId: theirs.id, ownerId: owner, fromAccountId: theirGbp.id, toAccountId: theirEur.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      extensions: { field: 'quoteId' },
    });
    // My quote, their account on either side.
    await expect(fx.convert({ quoteId: mine.id, ownerId: owner, fromAccountId: theirGbp.id, toAccountId: eur.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      extensions: { field: 'fromAccountId' },
    });
    await expect(fx.convert({ quoteId: mine.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: theirEur.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      extensions: { field: 'toAccountId' },
    });
    // A system account is nobody's to name.
    const fxEur = await h.accounts.systemAccount('FX', 'EUR');
    await expect(fx.convert({ quoteId: mine.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: fxEur.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fx.convert({ quoteId: randomUUID(), ownerId: owner, fromAccountId: gbp.id, toAccountId: eur.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await counts()).toEqual(before);
  });

  it('refuses accounts whose currencies do not match the quote with BAD_USER_INPUT', async () => {
    const owner = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 10_000n);
    const usd = await h.fundedAccount(owner, 'USD', 10_000n);
    const eur = await h.fundedAccount(owner, 'EUR', 0n, 'WALLET');
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 1_000n });
    const before = await counts();
    await expect(fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: usd.id, toAccountId: eur.id })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      extensions: { field: 'fromAccountId' },
    });
    await expect(fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: usd.id })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      extensions: { field: 'toAccountId' },
    });
    await expect(fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: gbp.id })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(fx.convert({ quoteId: 'not-a-uuid', ownerId: owner, fromAccountId: gbp.id, toAccountId: eur.id })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      extensions: { field: 'quoteId' },
    });
    expect(await counts()).toEqual(before);
  });

  it('refuses insufficient funds with INSUFFICIENT_FUNDS, writes nothing, and leaves the quote usable', async () => {
    const owner = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 999n);
    const eur = await h.fundedAccount(owner, 'EUR', 0n, 'WALLET');
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 1_000n });
    const before = await counts();
    await expect(fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eur.id })).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    expect(await counts()).toEqual(before);
    expect(await h.ledger.getTransfer(fxTransferIdFor(quote.id))).toBeNull();
    expect(balanceOf(await h.reload(gbp.id)).posted).toBe(999n);
    expect((await fx.getQuote(quote.id, owner))!.usedByTransfer).toBeNull();

    // Topped up before it expires, the same quote converts.
    await h.ledger.createTransfer({
      id: randomUUID(),
      code: 'DEPOSIT',
      postings: [
        { accountId: (await h.accounts.systemAccount('CLEARING', 'GBP')).id, direction: 'DEBIT', amount: 1n, currency: 'GBP' },
        { accountId: gbp.id, direction: 'CREDIT', amount: 1n, currency: 'GBP' },
      ],
    });
    const { transfer } = await fx.convert({ quoteId: quote.id, ownerId: owner, fromAccountId: gbp.id, toAccountId: eur.id });
    expect(transfer.status).toBe('POSTED');
    expect(balanceOf(await h.reload(gbp.id)).posted).toBe(0n);
  });

  it('is the only way money crosses currencies: the ledger refuses other cross-currency transfers and writes nothing', async () => {
    const owner = randomUUID();
    const gbp = await h.fundedAccount(owner, 'GBP', 50_000n);
    const eur = await h.fundedAccount(owner, 'EUR', 0n, 'WALLET');
    const fxGbp = await h.accounts.systemAccount('FX', 'GBP');
    const fxEur = await h.accounts.systemAccount('FX', 'EUR');
    const quote = await fx.quote({ ownerId: owner, sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmount: 10_000n });
    const legs = (buy: bigint, fxSide = fxEur.id) => [
      { accountId: gbp.id, direction: 'DEBIT' as const, amount: 10_000n, currency: 'GBP' as const },
      { accountId: fxGbp.id, direction: 'CREDIT' as const, amount: 10_000n, currency: 'GBP' as const },
      { accountId: fxSide, direction: 'DEBIT' as const, amount: buy, currency: 'EUR' as const },
      { accountId: eur.id, direction: 'CREDIT' as const, amount: buy, currency: 'EUR' as const },
    ];
    const conversion = { id: fxTransferIdFor(quote.id), code: 'FX_CONVERSION', causedBy: `fx-quote:${quote.id}` };
    const before = await counts();
    const attempts: [string, Promise<unknown>][] = [
      ['no quote at all', h.ledger.createTransfer({ id: randomUUID(), code: 'TRANSFER', postings: legs(quote.buyAmount) })],
      ['a quote but another transfer id', h.ledger.createTransfer({ ...conversion, id: randomUUID(), postings: legs(quote.buyAmount) })],
      ['one minor unit more than quoted', h.ledger.createTransfer({ ...conversion, postings: legs(quote.buyAmount + 1n) })],
      ['a customer account where the FX account belongs', h.ledger.createTransfer({ ...conversion, postings: legs(quote.buyAmount, (await h.fundedAccount(owner, 'EUR', 0n)).id) })],
    ];
    for (const [what, attempt] of attempts) {
      await expect(attempt.then(() => what)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    const unknownQuote = randomUUID();
    await expect(
      h.ledger.createTransfer({ id: fxTransferIdFor(unknownQuote), code: 'FX_CONVERSION', causedBy: `fx-quote:${unknownQuote}`, postings: legs(1n) }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('does not exist') });
    expect({ ...(await counts()), outbox: before.outbox }).toEqual(before);
    expect(balanceOf(await h.reload(gbp.id)).posted).toBe(50_000n);
    expect((await fx.getQuote(quote.id, owner))!.usedByTransfer).toBeNull();

    // The exact quoted legs go through, and mark the quote used in the same transaction.
    const transfer = await h.ledger.createTransfer({ ...conversion, postings: legs(quote.buyAmount) });
    expect((await fx.getQuote(quote.id, owner))!.usedByTransfer).toBe(transfer.id);
  });
});
