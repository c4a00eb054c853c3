import pino from 'pino';
import { BillerStore } from '../../src/data/biller-store';
import { CardStore } from '../../src/data/card-store';
import { PayeeStore } from '../../src/data/payee-store';
import { SIMULATED_CARDS } from '../../src/providers';
import { startPayments, type Customer, type PaymentsHarness } from '../helpers/payments-harness';

// A customer saves where their payments may go: payees (external bank accounts), billers and
// cards. Account numbers, references and card tokens are sealed at rest; card numbers and
// security codes go only to the provider. Others learn nothing; staff read, audited.

const logLines: string[] = [];
// Customers here act as after a recent step-up (`mfa`): a new payee needs a second factor from the last 5 minutes.
let h: PaymentsHarness;
let payeeStore: PayeeStore;
let billerStore: BillerStore;
let cardStore: CardStore;
beforeAll(async () => {
  // Every line the server logs, at every level, to show what never reaches the logs.
  h = await startPayments({ logger: pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) }) });
  payeeStore = new PayeeStore(h.payments.protection);
  billerStore = new BillerStore(h.payments.protection);
  cardStore = new CardStore(h.payments.protection);
}, 120_000);
afterAll(() => h.close());

const PAYEE = 'id name scheme maskedAccount country createdAt';
const BILLER = 'id name billerCode maskedReference createdAt';
const CARD = 'id brand last4 expMonth expYear createdAt';
const LISTS = `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) {
  ... on User { payees { ${PAYEE} } billers { ${BILLER} } cards { ${CARD} } } } }`;

const IBAN = 'GB82 WEST 1234 5698 7654 32';
const IBAN_ELECTRONIC = 'GB82WEST12345698765432';
const nextYear = new Date().getUTCFullYear() + 1;

const createPayee = (as: Customer, input: Record<string, unknown>) =>
  h.gql(`mutation ($input: CreatePayeeInput!) { createPayee(input: $input) { ${PAYEE} } }`, { input }, as);
const createBiller = (as: Customer, input: Record<string, unknown>) =>
  h.gql(`mutation ($input: CreateBillerInput!) { createBiller(input: $input) { ${BILLER} } }`, { input }, as);
const addCard = (as: Customer, input: Record<string, unknown>) =>
  h.gql(`mutation ($input: AddCardInput!) { addCard(input: $input) { ${CARD} } }`, { input: { expMonth: 12, expYear: nextYear, cvc: '123', ...input } }, as);
const remove = (as: Customer, mutation: 'deletePayee' | 'deleteBiller' | 'removeCard', id: string) =>
  h.gql(`mutation ($id: ID!) { ${mutation}(id: $id) { id } }`, { id }, as);

/** The owner's three lists, read by `as`: the data, or the first error's extensions. */
async function lists(owner: Customer, as: Customer = owner) {
  const res = await h.gql(LISTS, { id: owner.id }, as);
  return { lists: res.data?._entities?.[0] ?? null, error: res.errors?.[0]?.extensions };
}

/** A card number that passes the Luhn check: `prefix`, then its check digit. */
function luhn(prefix: string): string {
  const digits = [...prefix].reverse().map(Number);
  const sum = digits.reduce((total, d, i) => total + (i % 2 === 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  return `${prefix}${(10 - (sum % 10)) % 10}`;
}

describe('saved payees', () => {
  it('saves a payee by IBAN and one by sort code, lists them masked, and deletes one: gone from the list, and it cannot be paid', async () => {
    const me = await h.customer({ mfa: true });
    const byIban = await createPayee(me, { name: '  Ada   Lovelace ', iban: IBAN.toLowerCase(), bic: 'nwbkgb2l' });
    expect(byIban.errors).toBeUndefined();
    expect(byIban.data!.createPayee).toEqual({
      id: expect.any(String),
      name: 'Ada Lovelace',
      scheme: 'IBAN',
      maskedAccount: '•••• 5432',
      country: 'GB',
      createdAt: expect.any(String),
    });
    const byUk = await createPayee(me, { name: 'Landlord', sortCode: '12-34-56', accountNumber: '87654321', iban: '' });
    expect(byUk.data!.createPayee).toMatchObject({ name: 'Landlord', scheme: 'UK_SORT_CODE', maskedAccount: '•••• 4321', country: 'GB' });

    expect((await lists(me)).lists.payees.map((p: { name: string }) => p.name)).toEqual(['Ada Lovelace', 'Landlord']);
    // Paying reads the account back, opened.
    expect(await payeeStore.account(h.payments.dataSource, me.id, byIban.data!.createPayee.id)).toEqual({ scheme: 'IBAN', iban: IBAN_ELECTRONIC, bic: 'NWBKGB2L' });

    const deleted = await remove(me, 'deletePayee', byIban.data!.createPayee.id);
    expect(deleted.data!.deletePayee).toEqual({ id: byIban.data!.createPayee.id });
    expect((await lists(me)).lists.payees).toEqual([byUk.data!.createPayee]);
    expect(await payeeStore.account(h.payments.dataSource, me.id, byIban.data!.createPayee.id)).toBeNull();
    expect((await remove(me, 'deletePayee', byIban.data!.createPayee.id)).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect((await remove(me, 'deletePayee', 'not-an-id')).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('saved billers', () => {
  it('saves a biller with its reference masked, lists it, and deletes it', async () => {
    const me = await h.customer({ mfa: true });
    const created = await createBiller(me, { name: 'City Water', billerCode: ' cw12345 ', reference: ' ACC-0099-1234 ' });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createBiller).toEqual({
      id: expect.any(String),
      name: 'City Water',
      billerCode: 'CW12345',
      maskedReference: '•••• 1234',
      createdAt: expect.any(String),
    });
    expect((await lists(me)).lists.billers).toEqual([created.data!.createBiller]);
    expect(await billerStore.reference(h.payments.dataSource, me.id, created.data!.createBiller.id)).toBe('ACC-0099-1234');

    expect((await remove(me, 'deleteBiller', created.data!.createBiller.id)).errors).toBeUndefined();
    expect((await lists(me)).lists.billers).toEqual([]);
    expect(await billerStore.reference(h.payments.dataSource, me.id, created.data!.createBiller.id)).toBeNull();
    expect((await remove(me, 'deleteBiller', created.data!.createBiller.id)).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('saved cards', () => {
  it('tokenises a card through the provider, answers the same card added again as the saved one, and removes it', async () => {
    const me = await h.customer({ mfa: true });
    const added = await addCard(me, { number: '4242 4242 4242 4242' });
    expect(added.errors).toBeUndefined();
    const card = added.data!.addCard;
    expect(card).toEqual({ id: expect.any(String), brand: 'VISA', last4: '4242', expMonth: 12, expYear: nextYear, createdAt: expect.any(String) });
    const token = await cardStore.token(h.payments.dataSource, me.id, card.id);
    expect(token).toEqual({ provider: 'simulated', token: expect.stringMatching(/^tok_sim_/) });

    // The same number again, however it is written: the saved card, not a second one.
    const again = await addCard(me, { number: '4242-4242-4242-4242' });
    expect(again.data!.addCard).toEqual(card);
    // Reissued with a new expiry: the same card, its expiry and token renewed.
    const reissued = await addCard(me, { number: SIMULATED_CARDS.visa, expMonth: 3, expYear: nextYear + 2 });
    expect(reissued.data!.addCard).toMatchObject({ id: card.id, expMonth: 3, expYear: nextYear + 2 });
    expect((await cardStore.token(h.payments.dataSource, me.id, card.id))!.token).not.toBe(token!.token);
    // Another customer adding the same card gets a card of their own.
    const other = await h.customer({ mfa: true });
    expect((await addCard(other, { number: SIMULATED_CARDS.visa })).data!.addCard.id).not.toBe(card.id);

    const second = await addCard(me, { number: SIMULATED_CARDS.mastercard });
    expect(second.data!.addCard).toMatchObject({ brand: 'MASTERCARD', last4: '4444' });
    expect((await lists(me)).lists.cards.map((c: { id: string }) => c.id)).toEqual([card.id, second.data!.addCard.id]);

    expect((await remove(me, 'removeCard', card.id)).data!.removeCard).toEqual({ id: card.id });
    expect((await lists(me)).lists.cards.map((c: { id: string }) => c.id)).toEqual([second.data!.addCard.id]);
    expect(await cardStore.token(h.payments.dataSource, me.id, card.id)).toBeNull();
    expect((await remove(me, 'removeCard', card.id)).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    // Once removed, adding it again saves it anew.
    expect((await addCard(me, { number: SIMULATED_CARDS.visa })).data!.addCard.id).not.toBe(card.id);
  });
});

describe('validation', () => {
  it('refuses bad input with the code and the field, writing nothing', async () => {
    const me = await h.customer({ mfa: true });
    const lastYear = new Date().getUTCFullYear() - 1;
    const cases: [string, () => ReturnType<typeof h.gql>, Record<string, unknown>][] = [
      ['an invalid IBAN', () => createPayee(me, { name: 'Ada', iban: 'GB82WEST12345698765433' }), { field: 'iban' }],
      ['an IBAN with a sort code', () => createPayee(me, { name: 'Ada', iban: IBAN, sortCode: '123456', accountNumber: '12345678' }), { fields: ['iban', 'sortCode', 'accountNumber'] }],
      ['no account at all', () => createPayee(me, { name: 'Ada' }), { fields: ['iban', 'sortCode', 'accountNumber'] }],
      ['a bad sort code', () => createPayee(me, { name: 'Ada', sortCode: '12-34-5', accountNumber: '12345678' }), { field: 'sortCode' }],
      ['a bad account number', () => createPayee(me, { name: 'Ada', sortCode: '123456', accountNumber: '1234567' }), { field: 'accountNumber' }],
      ['a payee name too long', () => createPayee(me, { name: 'x'.repeat(71), iban: IBAN }), { field: 'name' }],
      ['a blank payee name', () => createPayee(me, { name: '   ', iban: IBAN }), { field: 'name' }],
      ['a biller name too long', () => createBiller(me, { name: 'y'.repeat(71), billerCode: 'CW123', reference: 'A1' }), { field: 'name' }],
      ['a biller code too short', () => createBiller(me, { name: 'Water', billerCode: 'AB', reference: 'A1' }), { field: 'billerCode' }],
      ['a biller code with a dash', () => createBiller(me, { name: 'Water', billerCode: 'CW-123', reference: 'A1' }), { field: 'billerCode' }],
      ['a biller code too long', () => createBiller(me, { name: 'Water', billerCode: 'C'.repeat(21), reference: 'A1' }), { field: 'billerCode' }],
      ['an empty reference', () => createBiller(me, { name: 'Water', billerCode: 'CW123', reference: '  ' }), { field: 'reference' }],
      ['a reference too long', () => createBiller(me, { name: 'Water', billerCode: 'CW123', reference: 'R'.repeat(41) }), { field: 'reference' }],
      ['a card failing Luhn', () => addCard(me, { number: '4242424242424241' }), { field: 'number' }],
      ['an expired card', () => addCard(me, { number: SIMULATED_CARDS.visa, expMonth: 12, expYear: lastYear }), { field: 'expiry' }],
      ['a month 13', () => addCard(me, { number: SIMULATED_CARDS.visa, expMonth: 13 }), { field: 'expiry' }],
      ['a CVC too short', () => addCard(me, { number: SIMULATED_CARDS.visa, cvc: '12' }), { field: 'cvc' }],
      ['a three-digit CVC on American Express', () => addCard(me, { number: '378282246310005', cvc: '123' }), { field: 'cvc' }],
    ];
    for (const [why, send, details] of cases) {
      const res = await send();
      expect({ why, extensions: res.errors?.[0]?.extensions }).toEqual({ why, extensions: { code: 'BAD_USER_INPUT', ...details } });
      // No message repeats a card number.
      expect(res.errors?.[0]?.message).not.toMatch(/\d{12}/);
    }
    expect((await lists(me)).lists).toEqual({ payees: [], billers: [], cards: [] });
  });
});

describe('who sees what', () => {
  it('lets no other customer list or delete yours; staff may list them, each read audited, but change nothing', async () => {
    const me = await h.customer({ mfa: true });
    const payee = (await createPayee(me, { name: 'Ada', iban: IBAN })).data!.createPayee;
    const biller = (await createBiller(me, { name: 'Water', billerCode: 'CW123', reference: 'ACC-1' })).data!.createBiller;
    const card = (await addCard(me, { number: SIMULATED_CARDS.visa })).data!.addCard;
    const mine = (await lists(me)).lists;

    const stranger = await h.customer({ mfa: true });
    for (const field of ['payees', 'billers', 'cards']) {
      const res = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { ${field} { id } } } }`, { id: me.id }, stranger);
      expect({ field, extensions: res.errors?.[0]?.extensions }).toEqual({ field, extensions: { code: 'FORBIDDEN' } });
    }
    expect((await remove(stranger, 'deletePayee', payee.id)).errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });
    expect((await remove(stranger, 'deleteBiller', biller.id)).errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });
    expect((await remove(stranger, 'removeCard', card.id)).errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });

    const support = await h.customer({ roles: ['SUPPORT'] });
    const audited = async () =>
      (await h.payments.dataSource.query(`SELECT operation FROM payments.staff_audit WHERE staff_user_id = $1 AND subject_user_id = $2 ORDER BY operation`, [support.id, me.id])).map(
        (r: { operation: string }) => r.operation,
      );
    expect(await audited()).toEqual([]);
    expect(await lists(me, support)).toEqual({ lists: mine, error: undefined });
    expect(await audited()).toEqual(['User.billers', 'User.cards', 'User.payees']);
    // Staff hold no payments:write: the schema refuses them before anything is looked up.
    expect((await remove(support, 'deletePayee', payee.id)).errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.deletePayee'] });
    const compliance = await h.customer({ roles: ['COMPLIANCE'] });
    expect((await lists(me, compliance)).lists).toEqual(mine);

    expect((await lists(me)).lists).toEqual(mine);
  });

  it('answers staff asking for a user id that is not a UUID with empty lists, and audits nothing', async () => {
    const support = await h.customer({ roles: ['SUPPORT'] });
    const res = await h.gql(LISTS, { id: 'not-a-user' }, support);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0]).toEqual({ payees: [], billers: [], cards: [] });
    const [{ n }] = await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payments.staff_audit WHERE staff_user_id = $1`, [support.id]);
    expect(n).toBe(0);
  });
});

describe('at rest and in the logs', () => {
  it('keeps no IBAN, account number, reference, token or card number in plaintext, and seals each value to its own row', async () => {
    const me = await h.customer({ mfa: true });
    const ibanPayee = (await createPayee(me, { name: 'Ada', iban: IBAN })).data!.createPayee;
    const ukPayee = (await createPayee(me, { name: 'Bob', sortCode: '40-47-84', accountNumber: '70872490' })).data!.createPayee;
    await createBiller(me, { name: 'Power Co', billerCode: 'PWR001', reference: 'INV-77310-Q' });
    const pan = SIMULATED_CARDS.mastercard;
    const card = (await addCard(me, { number: pan, cvc: '987' })).data!.addCard;
    const { token } = (await cardStore.token(h.payments.dataSource, me.id, card.id))!;

    // Every row of every table payments owns, bytea as text and as hex.
    const tables: { table_name: string }[] = await h.payments.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'payments'`);
    let dump = '';
    for (const { table_name } of tables) {
      const rows: Record<string, unknown>[] = await h.payments.dataSource.query(`SELECT * FROM payments."${table_name}"`);
      for (const row of rows) {
        for (const value of Object.values(row)) {
          if (value instanceof Uint8Array) dump += `${Buffer.from(value).toString('latin1')}\n${Buffer.from(value).toString('hex')}\n`;
          else dump += `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
        }
      }
    }
    expect(dump).toContain('PWR001');
    const hex = (text: string) => Buffer.from(text).toString('hex');
    for (const secret of [IBAN_ELECTRONIC, '70872490', 'INV-77310-Q', token, pan]) {
      expect({ secret, plaintext: dump.includes(secret), hex: dump.includes(hex(secret)) }).toEqual({ secret, plaintext: false, hex: false });
    }
    // The sealed columns are envelopes: bytea, naming the active master key.
    const [row] = await h.payments.dataSource.query(`SELECT account FROM payments.payees WHERE id = $1`, [ibanPayee.id]);
    expect(h.payments.protection.envelope.kidOf(Buffer.from(row.account))).toBe(h.payments.protection.envelope.activeKid);

    // A sealed account copied onto another payee's row does not open there.
    await h.payments.dataSource.query(`UPDATE payments.payees SET account = (SELECT account FROM payments.payees WHERE id = $1) WHERE id = $2`, [ibanPayee.id, ukPayee.id]);
    await expect(payeeStore.account(h.payments.dataSource, me.id, ukPayee.id)).rejects.toThrow();

    // Nothing the server logged carries the card number or the security code.
    const logs = logLines.join('');
    expect(logs).toContain('/graphql');
    expect(logs).not.toContain(pan);
    expect(logs).not.toMatch(/"cvc"|"number"/);
  });
});

describe('how many', () => {
  it('keeps at most 50 payees, 50 billers and 10 cards, even when asked all at once, and answers a saved card at the limit', async () => {
    const me = await h.customer({ mfa: true });
    const many = async (n: number, send: (i: number) => ReturnType<typeof h.gql>) => {
      const results = await Promise.all(Array.from({ length: n }, (_, i) => send(i)));
      return {
        saved: results.filter((r) => !r.errors).length,
        refused: results.filter((r) => r.errors).map((r) => r.errors![0].extensions),
      };
    };
    const tooMany = (limit: number) => ({ code: 'CONFLICT', reason: 'TOO_MANY', limit });

    expect(await many(53, (i) => createPayee(me, { name: `Payee ${i}`, sortCode: '123456', accountNumber: String(10_000_000 + i) }))).toEqual({
      saved: 50,
      refused: [tooMany(50), tooMany(50), tooMany(50)],
    });
    expect(await many(52, (i) => createBiller(me, { name: `Biller ${i}`, billerCode: `B${1000 + i}`, reference: `R${i}` }))).toEqual({
      saved: 50,
      refused: [tooMany(50), tooMany(50)],
    });
    const numbers = Array.from({ length: 11 }, (_, i) => luhn(`4242424242424${String(i).padStart(2, '0')}`));
    expect(await many(11, (i) => addCard(me, { number: numbers[i] }))).toEqual({ saved: 10, refused: [tooMany(10)] });
    const { lists: full } = await lists(me);
    expect([full.payees.length, full.billers.length, full.cards.length]).toEqual([50, 50, 10]);

    // A card already saved is answered, full or not; deleting one makes room again.
    const savedNumber = numbers.find((_, i) => full.cards.some((c: { last4: string }) => c.last4 === numbers[i].slice(-4)))!;
    expect((await addCard(me, { number: savedNumber })).errors).toBeUndefined();
    expect((await remove(me, 'deletePayee', full.payees[0].id)).errors).toBeUndefined();
    expect((await createPayee(me, { name: 'One more', iban: IBAN })).errors).toBeUndefined();
    expect((await createPayee(me, { name: 'And another', iban: IBAN })).errors?.[0]?.extensions).toEqual(tooMany(50));
    // Another customer's lists are their own.
    expect((await createPayee(await h.customer({ mfa: true }), { name: 'Ada', iban: IBAN })).errors).toBeUndefined();
  }, 60_000);
});
