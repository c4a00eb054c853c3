import { maskedAccount, parsePayee, parsePayeeName, payeeCountry, type PayeeInput } from '../../src/domain/payee';

const badInput = (details: Record<string, unknown>) =>
  expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', ...details }) });

const payee = (extra: Omit<PayeeInput, 'name'>) => parsePayee({ name: 'Ada Lovelace', ...extra });

describe('payee: IBAN', () => {
  it('accepts a valid IBAN written with spaces and in lowercase, in electronic format', () => {
    expect(payee({ iban: ' gb82 west 1234 5698 7654 32 ' })).toEqual({
      name: 'Ada Lovelace',
      account: { scheme: 'IBAN', iban: 'GB82WEST12345698765432', bic: null },
    });
    expect(payee({ iban: 'DE89 3704 0044 0532 0130 00' }).account).toEqual({ scheme: 'IBAN', iban: 'DE89370400440532013000', bic: null });
    expect(payee({ iban: 'FR14 2004 1010 0505 0001 3M02 606' }).account).toMatchObject({ iban: 'FR1420041010050500013M02606' });
  });

  it.each([
    ['a changed digit', 'GB82WEST12345698765433'],
    ['a wrong check digit', 'GB83WEST12345698765432'],
    ['a missing digit', 'GB82WEST1234569876543'],
    ['an unknown country', 'XX82WEST12345698765432'],
    ['letters where digits belong', 'GB82WEST1234569876543A'],
    ['a Swiss QR-IBAN', 'CH44 3199 9123 0008 8901 2'],
    ['no IBAN at all', 'not an iban'],
  ])('refuses an IBAN with %s (field iban)', (_why, iban) => {
    expect(() => payee({ iban })).toThrow(badInput({ field: 'iban' }));
  });

  it('accepts an optional BIC of 8 or 11 characters, upper-cased', () => {
    expect(payee({ iban: 'GB82WEST12345698765432', bic: 'nwbkgb2l' }).account).toMatchObject({ bic: 'NWBKGB2L' });
    expect(payee({ iban: 'DE89370400440532013000', bic: 'DEUT DEFF 500' }).account).toMatchObject({ bic: 'DEUTDEFF500' });
    expect(payee({ iban: 'DE89370400440532013000', bic: '' }).account).toMatchObject({ bic: null });
  });

  it.each(['ABN4NL2A', 'NWBKZZ2L', 'NWBK', 'NWBKGB2LXX'])('refuses the BIC %s (field bic)', (bic) => {
    expect(() => payee({ iban: 'GB82WEST12345698765432', bic })).toThrow(badInput({ field: 'bic' }));
  });
});

describe('payee: UK sort code and account number', () => {
  it.each(['12-34-56', '12 34 56', '123456', ' 12-34-56 '])('normalises the sort code %j to six digits', (sortCode) => {
    expect(payee({ sortCode, accountNumber: '12345678' }).account).toEqual({ scheme: 'UK_SORT_CODE', sortCode: '123456', accountNumber: '12345678' });
  });

  it.each(['12-34-5', '1234567', '12/34/56', 'ab-cd-ef'])('refuses the sort code %j (field sortCode)', (sortCode) => {
    expect(() => payee({ sortCode, accountNumber: '12345678' })).toThrow(badInput({ field: 'sortCode' }));
  });

  it.each(['1234567', '123456789', '1234567a', '12-345678'])('refuses the account number %j (field accountNumber)', (accountNumber) => {
    expect(() => payee({ sortCode: '123456', accountNumber })).toThrow(badInput({ field: 'accountNumber' }));
  });

  it('needs both halves, and no BIC', () => {
    expect(() => payee({ sortCode: '123456' })).toThrow(badInput({ field: 'accountNumber' }));
    expect(() => payee({ accountNumber: '12345678' })).toThrow(badInput({ field: 'sortCode' }));
    expect(() => payee({ sortCode: '123456', accountNumber: '12345678', bic: 'NWBKGB2L' })).toThrow(badInput({ field: 'bic' }));
  });
});

describe('payee: exactly one form', () => {
  it('refuses both forms, and neither', () => {
    const fields = ['iban', 'sortCode', 'accountNumber'];
    expect(() => payee({ iban: 'GB82WEST12345698765432', sortCode: '123456', accountNumber: '12345678' })).toThrow(badInput({ fields }));
    expect(() => payee({ iban: 'GB82WEST12345698765432', accountNumber: '12345678' })).toThrow(badInput({ fields }));
    expect(() => payee({})).toThrow(badInput({ fields }));
    expect(() => payee({ iban: null, sortCode: null, accountNumber: null })).toThrow(badInput({ fields }));
  });

  it('treats a blank field as not given, as forms send it', () => {
    expect(payee({ iban: 'GB82WEST12345698765432', sortCode: '', accountNumber: '  ' }).account.scheme).toBe('IBAN');
    expect(payee({ iban: '', sortCode: '123456', accountNumber: '12345678' }).account.scheme).toBe('UK_SORT_CODE');
  });
});

describe('payee: name', () => {
  it('trims and collapses spaces', () => {
    expect(parsePayeeName('  Ada   Lovelace \n')).toBe('Ada Lovelace');
  });

  it('allows 1 to 70 characters, counting letters rather than UTF-16 units', () => {
    expect(parsePayeeName('A')).toBe('A');
    expect(parsePayeeName('x'.repeat(70))).toHaveLength(70);
    expect(parsePayeeName('𝔸'.repeat(70))).toBe('𝔸'.repeat(70));
    expect(() => parsePayeeName('x'.repeat(71))).toThrow(badInput({ field: 'name' }));
    expect(() => parsePayeeName('   ')).toThrow(badInput({ field: 'name' }));
  });

  it('refuses control and format characters (bidi overrides included)', () => {
    expect(() => parsePayeeName('Ada\u0000Lovelace')).toThrow(badInput({ field: 'name' }));
    expect(() => parsePayeeName('Ada\u202eecalevoL')).toThrow(badInput({ field: 'name' }));
    expect(() => payee({ iban: 'GB82WEST12345698765432', name: '\u0007' } as PayeeInput)).toThrow(badInput({ field: 'name' }));
  });
});

describe('payee: display', () => {
  it('masks all but the last four characters', () => {
    expect(maskedAccount(payee({ iban: 'GB82 WEST 1234 5698 7654 32' }).account)).toBe('•••• 5432');
    expect(maskedAccount(payee({ sortCode: '12-34-56', accountNumber: '87654321' }).account)).toBe('•••• 4321');
  });

  it('gives the country of the IBAN, or GB for a sort code', () => {
    expect(payeeCountry(payee({ iban: 'DE89370400440532013000' }).account)).toBe('DE');
    expect(payeeCountry(payee({ iban: 'NL91ABNA0417164300' }).account)).toBe('NL');
    expect(payeeCountry(payee({ sortCode: '123456', accountNumber: '12345678' }).account)).toBe('GB');
  });
});
