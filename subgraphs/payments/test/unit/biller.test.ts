import { maskedReference, parseBiller, type BillerInput } from '../../src/domain/biller';

const badInput = (field: string) => expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { code: 'BAD_USER_INPUT', field } });
const biller = (extra: Partial<BillerInput> = {}) => parseBiller({ name: 'City Water', billerCode: 'CW123', reference: 'ACC-1', ...extra });

describe('biller', () => {
  it('trims the name and the reference and upper-cases the code', () => {
    expect(biller({ name: '  City   Water ', billerCode: ' cw123 ', reference: ' ACC 0099 ' })).toEqual({ name: 'City Water', billerCode: 'CW123', reference: 'ACC 0099' });
  });

  it.each(['AB', 'C'.repeat(21), 'CW-123', 'CW 123', 'ÇW123', ''])('refuses the biller code %j (field billerCode)', (billerCode) => {
    expect(() => biller({ billerCode })).toThrow(badInput('billerCode'));
  });

  it('takes references of 1 to 40 printable characters (field reference)', () => {
    expect(biller({ reference: 'R'.repeat(40) }).reference).toHaveLength(40);
    expect(biller({ reference: '🙂'.repeat(40) }).reference).toBe('🙂'.repeat(40));
    for (const reference of ['', '   ', 'R'.repeat(41), 'ACC\u202E1', 'ACC\n1']) expect(() => biller({ reference })).toThrow(badInput('reference'));
  });

  it('refuses a name longer than 70 characters (field name)', () => {
    expect(() => biller({ name: 'n'.repeat(71) })).toThrow(badInput('name'));
  });
});

describe('masked reference', () => {
  it.each([
    ['ACC-0099-1234', '•••• 1234'],
    ['12345678', '•••• 5678'],
    ['1234', '•••• 34'],
    ['123', '•••• 3'],
    ['7', '••••'],
  ])('shows %j as %j: at most four characters, never more than half', (reference, masked) => {
    expect(maskedReference(reference)).toBe(masked);
  });
});
