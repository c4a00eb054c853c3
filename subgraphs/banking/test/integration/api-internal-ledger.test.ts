import { randomUUID } from 'node:crypto';
import { createKeySet, createServiceTokenIssuer, generatePrivateJwk, SERVICE_TOKEN_HEADER } from '@meridian/platform';
import type { AccountRecord } from '../../src';
import { ledgerTransferBody, startBanking, type BankingHarness } from '../helpers/api-harness';

let h: BankingHarness;
let from: AccountRecord;
let to: AccountRecord;
beforeAll(async () => {
  h = await startBanking();
  const owner = randomUUID();
  from = await h.account(owner, 'EUR', 100_00n);
  to = await h.account(owner, 'EUR');
});
afterAll(() => h.close());

const transfer = (overrides: Record<string, unknown> = {}) =>
  ledgerTransferBody(from.id, to.id, '3.50', { causedBy: `payment:${randomUUID()}`, metadata: { merchant: 'Bean There' }, ...overrides });

describe('internal ledger API access', () => {
  it('refuses a call without a service token, writing nothing', async () => {
    const before = await h.count('transfers');
    const res = await h.internal('POST', '/internal/ledger/transfers', transfer(), { caller: null });
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).toContain('UNAUTHENTICATED');
    expect((await h.internal('GET', `/internal/ledger/accounts/${from.id}/balance`, undefined, { caller: null })).status).toBe(401);
    expect(await h.count('transfers')).toBe(before);
  });

  it('refuses the gateway and BFFs, whose tokens only reach /graphql, with 403 FORBIDDEN', async () => {
    for (const caller of ['gateway', 'bff-web', 'bff-mobile']) {
      const res = await h.internal('GET', `/internal/ledger/accounts/${from.id}/balance`, undefined, { caller });
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).toContain('FORBIDDEN');
    }
  });

  it('refuses a token for another audience or from an untrusted key', async () => {
    expect((await h.internal('GET', `/internal/ledger/accounts/${from.id}/balance`, undefined, { audience: 'identity' })).status).toBe(401);
    const rogue = createServiceTokenIssuer({ service: 'payments', keys: await createKeySet([await generatePrivateJwk()]) });
    const res = await h.server.app.inject({
      method: 'GET',
      url: `/internal/ledger/accounts/${from.id}/balance`,
      headers: { [SERVICE_TOKEN_HEADER]: await rogue('banking') },
    });
    expect(res.statusCode).toBe(401);
  });

  it('is not part of the public graph', async () => {
    const sdl = (await h.gql(`{ _service { sdl } }`)).data!._service.sdl as string;
    expect(sdl).not.toMatch(/postPending|voidPending|createTransfer|internal/i);
  });
});

describe('internal ledger API for payments', () => {
  it('creates a transfer with decimal amounts, returns it on replay, and reads it back', async () => {
    const body = transfer();
    const created = await h.internal('POST', '/internal/ledger/transfers', body);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: body.id,
      code: 'CARD_PAYMENT',
      description: 'Coffee',
      causedBy: body.causedBy,
      metadata: { merchant: 'Bean There' },
      phase: 'SINGLE',
      status: 'POSTED',
      pendingId: null,
      postings: [
        { accountId: from.id, direction: 'DEBIT', amount: '3.50', currency: 'EUR', pending: false, balanceAfter: '96.50' },
        { accountId: to.id, direction: 'CREDIT', amount: '3.50', currency: 'EUR', pending: false, balanceAfter: '3.50' },
      ],
    });
    const replay = await h.internal('POST', '/internal/ledger/transfers', body);
    expect(replay).toEqual(created);
    const read = await h.internal('GET', `/internal/ledger/transfers/${body.id}`);
    expect(read).toEqual(created);
    const balance = await h.internal('GET', `/internal/ledger/accounts/${from.id}/balance`);
    expect(balance).toEqual({
      status: 200,
      body: { accountId: from.id, currency: 'EUR', status: 'ACTIVE', posted: '96.50', pending: '0.00', available: '96.50' },
    });
  });

  it('reserves with a pending transfer, then posts part of it', async () => {
    const pending = transfer({ pendingTimeoutSeconds: 300, postings: transfer().postings.map((p) => ({ ...p, amount: '10.00' })) });
    const held = await h.internal('POST', '/internal/ledger/transfers', pending);
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ phase: 'PENDING', status: 'PENDING', timeoutAt: expect.any(String) });
    const during = (await h.internal('GET', `/internal/ledger/accounts/${from.id}/balance`)).body;
    expect(during).toMatchObject({ pending: '-10.00' });
    expect(Number(during.available)).toBe(Number(during.posted) - 10);

    const postId = randomUUID();
    const posted = await h.internal('POST', `/internal/ledger/transfers/${pending.id}/post`, { id: postId, amount: '7.25' });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ id: postId, phase: 'POST_PENDING', status: 'POSTED', pendingId: pending.id });
    expect(posted.body.postings.map((p: { amount: string }) => p.amount)).toEqual(['7.25', '7.25']);
    expect((await h.internal('GET', `/internal/ledger/transfers/${pending.id}`)).body.status).toBe('POSTED');
    // replaying the post returns it; voiding the posted hold is a conflict
    expect((await h.internal('POST', `/internal/ledger/transfers/${pending.id}/post`, { id: postId, amount: '7.25' })).body.id).toBe(postId);
    const late = await h.internal('POST', `/internal/ledger/transfers/${pending.id}/void`, { id: randomUUID() });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
  });

  it('voids a pending transfer, releasing the hold', async () => {
    const pending = transfer({ pendingTimeoutSeconds: 300 });
    await h.internal('POST', '/internal/ledger/transfers', pending);
    const voided = await h.internal('POST', `/internal/ledger/transfers/${pending.id}/void`, { id: randomUUID() });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ phase: 'VOID_PENDING', postings: [] });
    expect((await h.internal('GET', `/internal/ledger/transfers/${pending.id}`)).body.status).toBe('VOIDED');
    expect((await h.internal('GET', `/internal/ledger/accounts/${from.id}/balance`)).body.pending).toBe('0.00');
  });

  it.each([
    ['a malformed body', 400, 'BAD_USER_INPUT', () => ({ id: randomUUID() })],
    ['an unknown field', 400, 'BAD_USER_INPUT', () => transfer({ extra: 1 })],
    ['an amount with too many decimals', 400, 'BAD_USER_INPUT', () => transfer({ postings: transfer().postings.map((p) => ({ ...p, amount: '1.005' })) })],
    ['a negative amount', 400, 'BAD_USER_INPUT', () => transfer({ postings: transfer().postings.map((p) => ({ ...p, amount: '-1.00' })) })],
    ['an unsupported currency', 400, 'BAD_USER_INPUT', () => transfer({ postings: transfer().postings.map((p) => ({ ...p, currency: 'CHF' })) })],
    ['unbalanced postings', 400, 'BAD_USER_INPUT', () => transfer({ postings: [transfer().postings[0], { ...transfer().postings[1], amount: '3.49' }] })],
    ['an unknown account', 404, 'NOT_FOUND', () => transfer({ postings: [transfer().postings[0], { ...transfer().postings[1], accountId: randomUUID() }] })],
    ['insufficient funds', 422, 'INSUFFICIENT_FUNDS', () => transfer({ postings: transfer().postings.map((p) => ({ ...p, amount: '100000.00' })) })],
  ] as const)('refuses %s with %i %s, writing nothing', async (_name, status, code, body) => {
    const before = [await h.count('transfers'), await h.count('postings'), await h.count('outbox')];
    const res = await h.internal('POST', '/internal/ledger/transfers', body());
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
    expect([await h.count('transfers'), await h.count('postings'), await h.count('outbox')]).toEqual(before);
  });

  it('refuses a used id with other content (409 IDEMPOTENCY_KEY_REUSED) and malformed JSON (400)', async () => {
    const body = transfer();
    await h.internal('POST', '/internal/ledger/transfers', body);
    const reused = await h.internal('POST', '/internal/ledger/transfers', { ...body, description: 'Tea' });
    expect(reused).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    const token = await h.serviceTokenAs('payments')('banking');
    const raw = await h.server.app.inject({
      method: 'POST',
      url: '/internal/ledger/transfers',
      headers: { [SERVICE_TOKEN_HEADER]: token, 'content-type': 'application/json' },
      payload: '{"id":',
    });
    expect(raw.statusCode).toBe(400);
    expect(raw.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
  });

  it('answers 404 for an unknown transfer, pending transfer, account or route', async () => {
    expect((await h.internal('GET', `/internal/ledger/transfers/${randomUUID()}`)).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await h.internal('GET', `/internal/ledger/accounts/${randomUUID()}/balance`)).status).toBe(404);
    expect((await h.internal('POST', `/internal/ledger/transfers/${randomUUID()}/post`, { id: randomUUID() })).status).toBe(404);
    expect((await h.internal('POST', `/internal/ledger/transfers/${randomUUID()}/post`, { id: randomUUID(), amount: '1.00' })).status).toBe(404);
    expect((await h.internal('GET', '/internal/ledger/nothing')).status).toBe(404);
  });

  it('refuses an amount on a void', async () => {
    const pending = transfer({ pendingTimeoutSeconds: 300 });
    await h.internal('POST', '/internal/ledger/transfers', pending);
    const res = await h.internal('POST', `/internal/ledger/transfers/${pending.id}/void`, { id: randomUUID(), amount: '1.00' });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'BAD_USER_INPUT', field: 'amount' } } });
  });
});

describe('the ledger read by insights', () => {
  it('lets a reader (LEDGER_READ_CALLERS) read but never write, and pages through the ledger in chain order', async () => {
    const refused = await h.internal('POST', '/internal/ledger/transfers', transfer(), { caller: 'insights' });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('FORBIDDEN');
    expect((await h.internal('POST', '/internal/ledger/system-accounts', { type: 'CLEARING', currency: 'EUR' }, { caller: 'insights' })).status).toBe(403);
    expect((await h.internal('GET', `/internal/ledger/accounts/${from.id}`, undefined, { caller: 'insights' })).status).toBe(200);

    const made: { id: string }[] = [];
    for (let i = 0; i < 3; i += 1) made.push((await h.internal('POST', '/internal/ledger/transfers', transfer({ description: `PRET A MANGER ${i}` }))).body as { id: string });
    const seen: { id: string; seq: string; description: string }[] = [];
    let afterSeq = '0';
    for (;;) {
      const page = await h.internal('GET', `/internal/ledger/history?afterSeq=${afterSeq}&limit=2`, undefined, { caller: 'insights' });
      expect(page.status).toBe(200);
      const body = page.body as { transfers: { id: string; seq: string; description: string }[]; nextAfterSeq: string | null };
      expect(body.transfers.length).toBeLessThanOrEqual(2);
      seen.push(...body.transfers);
      if (!body.nextAfterSeq) break;
      afterSeq = body.nextAfterSeq;
    }
    const seqs = seen.map((t) => BigInt(t.seq));
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1])).toBe(true);
    // Ours, in the order they were made, and every transfer up to the last one seen.
    const ours = seen.filter((t) => made.some((m) => m.id === t.id));
    expect(ours.map((t) => [t.id, t.description])).toEqual(made.map((t, i) => [t.id, `PRET A MANGER ${i}`]));
    const [{ n }] = await h.server.dataSource.query(`SELECT count(*)::int AS n FROM banking.transfers WHERE seq <= $1`, [seen[seen.length - 1].seq]);
    expect(n).toBe(seen.length);
    const bad = await h.internal('GET', '/internal/ledger/history?afterSeq=-1&limit=5000', undefined, { caller: 'insights' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('BAD_USER_INPUT');
  });
});

describe('internal account API for payments', () => {
  it("reads an account with its owner, a customer's accounts, and a clearing account created once", async () => {
    const owner = randomUUID();
    const current = await h.account(owner, 'GBP', 20_00n);
    const savings = await h.account(owner, 'GBP', 0n, 'SAVINGS');
    const read = await h.internal('GET', `/internal/ledger/accounts/${current.id}`);
    expect(read).toMatchObject({
      status: 200,
      body: { id: current.id, number: current.number, ownerId: owner, kind: 'CUSTOMER', type: 'CURRENT', currency: 'GBP', status: 'ACTIVE', available: '20.00' },
    });
    const listed = await h.internal('GET', `/internal/ledger/users/${owner}/accounts`);
    expect(listed.body.accounts.map((a: { id: string }) => a.id)).toEqual([current.id, savings.id]);
    expect((await h.internal('GET', `/internal/ledger/users/${randomUUID()}/accounts`)).body).toEqual({ accounts: [] });
    expect((await h.internal('GET', '/internal/ledger/users/not-a-uuid/accounts')).body).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });

    const [first, second] = await Promise.all([
      h.internal('POST', '/internal/ledger/system-accounts', { type: 'CLEARING', currency: 'JPY' }),
      h.internal('POST', '/internal/ledger/system-accounts', { type: 'CLEARING', currency: 'JPY' }),
    ]);
    expect(first.body).toMatchObject({ kind: 'SYSTEM', type: 'CLEARING', currency: 'JPY', ownerId: null });
    expect(second.body.id).toBe(first.body.id);
    expect((await h.internal('POST', '/internal/ledger/system-accounts', { type: 'FX', currency: 'JPY' })).body).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'type' } });
    expect((await h.internal('POST', '/internal/ledger/system-accounts', { type: 'CLEARING', currency: 'XXX' })).body).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'currency' } });
  });
});

describe('transfers as entities', () => {
  const reference = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Transfer { id status amount { amount currency } fromAccount { id } toAccount { id } } }
  }`;

  it('resolves a transfer for a customer who owns one of its accounts, hiding the account that is not theirs', async () => {
    const payer = await h.user();
    const payee = await h.user();
    const stranger = await h.user();
    const a = await h.account(payer.id, 'EUR', 50_00n);
    const b = await h.account(payee.id, 'EUR');
    const body = ledgerTransferBody(a.id, b.id, '7.25');
    expect((await h.internal('POST', '/internal/ledger/transfers', body)).status).toBe(200);
    const representations = [{ __typename: 'Transfer', id: body.id }];

    const asPayer = await h.gql(reference, { representations }, { user: payer });
    expect(asPayer.errors).toBeUndefined();
    expect(asPayer.data!._entities).toEqual([{ id: body.id, status: 'POSTED', amount: { amount: '7.25', currency: 'EUR' }, fromAccount: { id: a.id }, toAccount: null }]);
    const asPayee = await h.gql(reference, { representations }, { user: payee });
    expect(asPayee.data!._entities[0]).toMatchObject({ fromAccount: null, toAccount: { id: b.id } });
    // Someone else learns nothing, not even that the transfer exists; nor does an unknown id.
    expect((await h.gql(reference, { representations }, { user: stranger })).data!._entities).toEqual([null]);
    expect((await h.gql(reference, { representations: [{ __typename: 'Transfer', id: randomUUID() }] }, { user: payer })).data!._entities).toEqual([null]);
  });
});
