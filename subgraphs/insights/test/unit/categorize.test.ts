import { DomainError } from '@meridian/platform';
import {
  categorize,
  validateCategoryRule,
  MAX_PATTERN_LENGTH,
  type CategoryRule,
  type CategoryRuleInput,
  type TransactionToCategorize,
} from '../../src/domain/categorize';
import { matchesPattern } from '../../src/domain/category-rule';
import { categoryForMcc, KNOWN_MCCS } from '../../src/domain/mcc';

const spend = (description: string, extra: Partial<TransactionToCategorize> = {}): TransactionToCategorize => ({
  description,
  amount: 1_250n,
  direction: 'DEBIT',
  ...extra,
});
const income = (description: string, extra: Partial<TransactionToCategorize> = {}) => spend(description, { direction: 'CREDIT', ...extra });

let ids = 0;
const rule = (fields: Partial<CategoryRule> & Pick<CategoryRule, 'category'>): CategoryRule => ({
  id: `rule-${++ids}`,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  ...fields,
});

describe('categorize: the order of the steps', () => {
  it('lets a user rule win over everything', () => {
    const rules = [rule({ merchantKey: 'amazon', category: 'GENERAL_MERCHANDISE_ELECTRONICS' })];
    expect(categorize(spend('AMZN Mktp UK*2K4LT12J5', { mcc: '5942' }), rules)).toEqual({
      merchant: { key: 'amazon', name: 'Amazon' },
      displayName: 'Amazon',
      category: 'GENERAL_MERCHANDISE_ELECTRONICS',
      primary: 'GENERAL_MERCHANDISE',
      source: 'USER_RULE',
      ruleId: rules[0]!.id,
    });
  });

  it('uses the merchant directory before the merchant category code', () => {
    expect(categorize(spend('TESCO PFS 3297 LONDON', { mcc: '5411' }))).toMatchObject({
      category: 'TRANSPORTATION_GAS',
      source: 'MERCHANT',
      merchant: { key: 'tesco-petrol', name: 'Tesco Petrol' },
    });
  });

  it('uses the merchant category code for a merchant it does not know', () => {
    expect(categorize(spend('THE ANCHOR FREEHOUSE', { mcc: '5813' }))).toMatchObject({
      category: 'FOOD_AND_DRINK_RESTAURANT',
      source: 'MCC',
      merchant: null,
    });
    expect(categorize(spend('ICELANDAIR 1089', { mcc: '3133' }))).toMatchObject({ category: 'TRAVEL_FLIGHTS', source: 'MCC' });
  });

  it('trusts a precise code over a keyword of another primary category', () => {
    // A "breakfast club" sounds like childcare; the card network says restaurant.
    expect(categorize(spend('The Breakfast Club', { mcc: '5812' }))).toMatchObject({ category: 'FOOD_AND_DRINK_RESTAURANT', source: 'MCC' });
  });

  it('lets a keyword sharpen the code within its primary category', () => {
    expect(categorize(spend('SQ *GRIND COFFEE BAR', { mcc: '5814' }))).toMatchObject({ category: 'FOOD_AND_DRINK_COFFEE', source: 'MCC' });
  });

  it('lets a keyword replace a catch-all code', () => {
    expect(categorize(spend('SumUp  *Havana House Tobacconist', { mcc: '5999' }))).toMatchObject({
      category: 'GENERAL_MERCHANDISE_TOBACCO_AND_VAPE',
      source: 'KEYWORD',
    });
  });

  it('does not let a generic word override a code', () => {
    expect(categorize(spend('ROSS STORES #123 AUSTIN TX', { mcc: '5651' }))).toMatchObject({
      category: 'GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES',
    });
  });

  it('falls back to keywords, then to a default from how the money moved', () => {
    expect(categorize(spend('DEB HIGHGATE DENTAL PRACTICE CD 4821'))).toMatchObject({ category: 'MEDICAL_DENTAL_CARE', source: 'KEYWORD' });
    expect(categorize(spend('CARD PAYMENT TO BALTHAZAR ON 02 MAR'))).toMatchObject({
      category: 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE',
      source: 'DEFAULT',
      displayName: 'Balthazar',
    });
    expect(categorize(spend('DD ACME HOLDINGS'))).toMatchObject({ category: 'GENERAL_SERVICES_OTHER_GENERAL_SERVICES', source: 'DEFAULT' });
    expect(categorize(spend('CHQ 000123'))).toMatchObject({ category: 'TRANSFER_OUT_OTHER_TRANSFER_OUT', source: 'DEFAULT' });
    expect(categorize(income('KINGS RD BRANCH 0231', { kind: 'DEPOSIT' }))).toMatchObject({ category: 'TRANSFER_IN_DEPOSIT', source: 'DEFAULT' });
  });
});

describe('categorize: money in and money between people', () => {
  it('reads pay as wages whoever pays it, and whether the ledger or the text says so', () => {
    expect(categorize(income('BGC TESCO PAYROLL'))).toMatchObject({ category: 'INCOME_WAGES', source: 'KEYWORD' });
    expect(categorize(income('FASTER PAYMENTS RECEIPT REF.SALARY FROM ACME LTD'))).toMatchObject({ category: 'INCOME_WAGES' });
    expect(categorize(income('Globex Ltd', { kind: 'SALARY' }))).toMatchObject({ category: 'INCOME_WAGES', source: 'DEFAULT' });
    // The same word on money out is not pay.
    expect(categorize(spend('FPO J SMITH REF SALARY ADVANCE'))).not.toMatchObject({ primary: 'INCOME' });
  });

  it('gives money in from a merchant its income category, or the category of the refunded purchase', () => {
    expect(categorize(income('HMRC TAX REFUND'))).toMatchObject({ category: 'INCOME_TAX_REFUND' });
    expect(categorize(spend('FPO HMRC SELF ASSESSMENT'))).toMatchObject({ category: 'GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT' });
    expect(categorize(income('AMZN Mktp UK*RF12AB34C'))).toMatchObject({ category: 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES' });
    expect(categorize(income('BGC ZOPA LTD LOAN'))).toMatchObject({ category: 'TRANSFER_IN_CASH_ADVANCES_AND_LOANS' });
  });

  it('treats cash machines as withdrawals even at a known shop, unless the line is the fee', () => {
    expect(categorize(spend('CASH WITHDRAWAL SAINSBURYS 12MAR'))).toMatchObject({ category: 'TRANSFER_OUT_WITHDRAWAL' });
    expect(categorize(spend('Sainsburys', { kind: 'ATM' }))).toMatchObject({ category: 'TRANSFER_OUT_WITHDRAWAL', source: 'DEFAULT' });
    expect(categorize(spend('ATM FEE - NON-CHASE ATM'))).toMatchObject({ category: 'BANK_FEES_ATM_FEES' });
  });

  it('files payments between people as transfers, reading the reference rather than the surname', () => {
    expect(categorize(spend('Tom Baker', { kind: 'P2P_PAYMENT' }))).toMatchObject({ category: 'TRANSFER_OUT_ACCOUNT_TRANSFER' });
    expect(categorize(income('Sarah Jones', { kind: 'P2P_PAYMENT' }))).toMatchObject({ category: 'TRANSFER_IN_ACCOUNT_TRANSFER' });
    expect(categorize(spend('FPO N BUTCHER REF THANKS'))).toMatchObject({ category: 'TRANSFER_OUT_ACCOUNT_TRANSFER' });
    expect(categorize(spend('FPO MR A PATEL REF FLAT 2 RENT'))).toMatchObject({ category: 'RENT_AND_UTILITIES_RENT' });
    expect(categorize(spend('FPO D JONES PLUMBING REF INV 1042'))).toMatchObject({ category: 'HOME_IMPROVEMENT_REPAIR_AND_MAINTENANCE' });
    expect(categorize(spend('TRANSFER TO SAVINGS'))).toMatchObject({ category: 'TRANSFER_OUT_SAVINGS' });
    expect(categorize(income('TRANSFER FROM SAVINGS'))).toMatchObject({ category: 'TRANSFER_IN_SAVINGS' });
  });

  it('returns the merchant as key and name only, and no rule id unless a rule decided', () => {
    const result = categorize(spend('PRET A MANGER 1234 LONDON GB'));
    expect(result.merchant).toEqual({ key: 'pret', name: 'Pret A Manger' });
    expect(result).not.toHaveProperty('ruleId');
  });
});

describe('categorize: user rules', () => {
  it('picks the most specific matching rule, then the newest', () => {
    const broad = rule({ pattern: 'amzn', category: 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE', createdAt: new Date('2026-03-01') });
    const specific = rule({ merchantKey: 'amazon', minAmount: 10_000n, category: 'GENERAL_MERCHANDISE_ELECTRONICS', createdAt: new Date('2026-01-01') });
    const rules = [broad, specific];
    expect(categorize(spend('AMZN Mktp UK*2K4LT12J5', { amount: 25_000n }), rules).ruleId).toBe(specific.id);
    // Below the specific rule's range only the broad one matches.
    expect(categorize(spend('AMZN Mktp UK*2K4LT12J5', { amount: 500n }), rules).ruleId).toBe(broad.id);
  });

  it('lets the newest of equally specific rules win, whatever their order', () => {
    const older = rule({ pattern: 'netflix', category: 'ENTERTAINMENT_OTHER_ENTERTAINMENT', createdAt: new Date('2026-01-01') });
    const newer = rule({ pattern: 'netflix.com', category: 'RENT_AND_UTILITIES_INTERNET_AND_CABLE', createdAt: new Date('2026-02-01') });
    expect(categorize(spend('NETFLIX.COM AMSTERDAM'), [older, newer]).ruleId).toBe(newer.id);
    expect(categorize(spend('NETFLIX.COM AMSTERDAM'), [newer, older]).ruleId).toBe(newer.id);
  });

  it('breaks a tie in time by id, so the answer never depends on the order of the list', () => {
    const a = rule({ id: 'a', pattern: 'pret', category: 'FOOD_AND_DRINK_FAST_FOOD' });
    const b = rule({ id: 'b', pattern: 'pret', category: 'FOOD_AND_DRINK_RESTAURANT' });
    expect(categorize(spend('PRET A MANGER 1234'), [a, b]).ruleId).toBe('b');
    expect(categorize(spend('PRET A MANGER 1234'), [b, a]).ruleId).toBe('b');
  });

  it('matches a pattern case-insensitively anywhere in the raw descriptor or the clean name, `*` standing for any run of characters', () => {
    const rent = rule({ pattern: 'J SMITH*rent', category: 'RENT_AND_UTILITIES_RENT' });
    expect(categorize(spend('FPO J SMITH REF RENT MARCH'), [rent]).source).toBe('USER_RULE');
    expect(categorize(spend('FPO J SMITH REF BIRTHDAY'), [rent]).source).not.toBe('USER_RULE');
    // "Joe's Cafe" is only in the clean name: the raw line says "JOES CAFE".
    const cafe = rule({ pattern: "joe's cafe", category: 'FOOD_AND_DRINK_RESTAURANT' });
    expect(categorize(spend('SQ *JOES CAFE 4432 LONDON GB'), [cafe]).category).toBe('FOOD_AND_DRINK_RESTAURANT');
    expect(matchesPattern('*coffee*', 'blue bottle coffee')).toBe(true);
    expect(matchesPattern('bottle*blue', 'blue bottle coffee')).toBe(false);
    expect(matchesPattern('blue   bottle', 'blue bottle coffee')).toBe(true);
  });

  it('reads a pattern as plain text, never as a regular expression', () => {
    expect(matchesPattern('a.c', 'abc')).toBe(false);
    expect(matchesPattern('a.c', 'xa.cx')).toBe(true);
    expect(matchesPattern('[abc]', 'a')).toBe(false);
    expect(matchesPattern('(a+)+$', 'pay (a+)+$ now')).toBe(true);
    // The classic catastrophic-backtracking input for /(a+)+$/ is matched in linear time.
    const hostile = `${'a'.repeat(50_000)}!`;
    const started = Date.now();
    expect(matchesPattern('(a+)+$', hostile)).toBe(false);
    expect(matchesPattern('a*a*a*a*b', hostile)).toBe(false);
    const redos = rule({ pattern: '(a+)+$', category: 'BANK_FEES_OTHER_BANK_FEES' });
    expect(categorize(spend(hostile), [redos]).source).not.toBe('USER_RULE');
    expect(Date.now() - started).toBeLessThan(2_000); // a backtracking regex would take minutes
  });

  it('applies inclusive amount ranges in minor units', () => {
    const small = rule({ pattern: 'tfl', maxAmount: 1_000n, category: 'TRANSPORTATION_OTHER_TRANSPORTATION' });
    const band = rule({ minAmount: 5_000n, maxAmount: 9_999n, category: 'ENTERTAINMENT_OTHER_ENTERTAINMENT' });
    expect(categorize(spend('TFL TRAVEL CH', { amount: 1_000n }), [small]).source).toBe('USER_RULE');
    expect(categorize(spend('TFL TRAVEL CH', { amount: 1_001n }), [small]).source).toBe('MERCHANT');
    expect(categorize(spend('ANYTHING', { amount: 5_000n }), [band]).ruleId).toBe(band.id);
    expect(categorize(spend('ANYTHING', { amount: 9_999n }), [band]).ruleId).toBe(band.id);
    expect(categorize(spend('ANYTHING', { amount: 10_000n }), [band]).source).not.toBe('USER_RULE');
  });
});

describe('the merchant category code table', () => {
  it.each([
    ['5411', 'FOOD_AND_DRINK_GROCERIES'], ['5812', 'FOOD_AND_DRINK_RESTAURANT'], ['5814', 'FOOD_AND_DRINK_FAST_FOOD'],
    ['4111', 'TRANSPORTATION_PUBLIC_TRANSIT'], ['4121', 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES'], ['4131', 'TRANSPORTATION_PUBLIC_TRANSIT'],
    ['5541', 'TRANSPORTATION_GAS'], ['5542', 'TRANSPORTATION_GAS'], ['4814', 'RENT_AND_UTILITIES_TELEPHONE'],
    ['4900', 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY'], ['5912', 'MEDICAL_PHARMACIES_AND_SUPPLEMENTS'], ['7832', 'ENTERTAINMENT_TV_AND_MOVIES'],
    ['5311', 'GENERAL_MERCHANDISE_DEPARTMENT_STORES'], ['5399', 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE'], ['4511', 'TRAVEL_FLIGHTS'],
    ['7011', 'TRAVEL_LODGING'], ['6011', 'TRANSFER_OUT_WITHDRAWAL'], ['8062', 'MEDICAL_OTHER_MEDICAL'], ['8011', 'MEDICAL_PRIMARY_CARE'],
    ['5651', 'GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES'], ['5732', 'GENERAL_MERCHANDISE_ELECTRONICS'],
    ['5942', 'GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS'], ['7997', 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS'],
    ['9311', 'GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT'], ['8398', 'GOVERNMENT_AND_NON_PROFIT_DONATIONS'],
    ['3058', 'TRAVEL_FLIGHTS'], ['3357', 'TRAVEL_RENTAL_CARS'], ['3504', 'TRAVEL_LODGING'],
  ])('maps %s to %s', (mcc, category) => {
    expect(categoryForMcc(mcc)?.category).toBe(category);
  });

  it('knows well over 80 codes and ignores unknown or malformed ones', () => {
    expect(KNOWN_MCCS.size).toBeGreaterThan(80);
    for (const mcc of ['0000', '54111', '541', '54a1', '', null, undefined]) expect(categoryForMcc(mcc)).toBeNull();
    expect(categorize(spend('BALTHAZAR', { mcc: '54a1' })).source).toBe('DEFAULT');
  });
});

describe('validateCategoryRule', () => {
  const valid: CategoryRuleInput = { pattern: '  Netflix   *  ', category: 'ENTERTAINMENT_TV_AND_MOVIES' };

  it('returns the rule normalised', () => {
    expect(validateCategoryRule(valid)).toEqual({
      merchantKey: null, pattern: 'netflix *', minAmount: null, maxAmount: null, category: 'ENTERTAINMENT_TV_AND_MOVIES',
    });
    expect(validateCategoryRule({ merchantKey: 'amazon', minAmount: 0n, maxAmount: 0n, category: 'GENERAL_MERCHANDISE_ELECTRONICS' }).merchantKey).toBe('amazon');
  });

  it.each<[string, CategoryRuleInput, string]>([
    ['an unknown category', { pattern: 'x', category: 'FOOD' }, 'category'],
    ['a lower-case category', { pattern: 'x', category: 'food_and_drink_coffee' }, 'category'],
    ['an unknown merchant', { merchantKey: 'not-a-merchant', category: 'FOOD_AND_DRINK_COFFEE' }, 'merchantKey'],
    ['an empty pattern', { pattern: '   ', category: 'FOOD_AND_DRINK_COFFEE' }, 'pattern'],
    ['a pattern over the limit', { pattern: 'x'.repeat(MAX_PATTERN_LENGTH + 1), category: 'FOOD_AND_DRINK_COFFEE' }, 'pattern'],
    ['too many wildcards', { pattern: 'a*b*c*d*e*f', category: 'FOOD_AND_DRINK_COFFEE' }, 'pattern'],
    ['only wildcards', { pattern: '* *', category: 'FOOD_AND_DRINK_COFFEE' }, 'pattern'],
    ['a control character', { pattern: 'a\u0000b', category: 'FOOD_AND_DRINK_COFFEE' }, 'pattern'],
    ['a negative minimum', { minAmount: -1n, category: 'FOOD_AND_DRINK_COFFEE' }, 'minAmount'],
    ['a negative maximum', { maxAmount: -5n, category: 'FOOD_AND_DRINK_COFFEE' }, 'maxAmount'],
    ['a minimum above the maximum', { minAmount: 200n, maxAmount: 100n, category: 'FOOD_AND_DRINK_COFFEE' }, 'minAmount'],
    ['no condition at all', { category: 'FOOD_AND_DRINK_COFFEE' }, 'pattern'],
  ])('refuses %s with BAD_USER_INPUT on the field', (_case, input, field) => {
    let thrown: unknown;
    try {
      validateCategoryRule(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { code: 'BAD_USER_INPUT', field } });
  });

  it('accepts the longest pattern and the most wildcards allowed', () => {
    expect(() => validateCategoryRule({ pattern: 'x'.repeat(MAX_PATTERN_LENGTH), category: 'FOOD_AND_DRINK_COFFEE' })).not.toThrow();
    expect(() => validateCategoryRule({ pattern: 'a*b*c*d*e', category: 'FOOD_AND_DRINK_COFFEE' })).not.toThrow();
  });
});

describe('categorize: speed', () => {
  it('categorises 20,000 transactions with rules in well under the time budget', () => {
    const lines = ['CARD PAYMENT TO TESCO STORES 3297 ON 12 MAR', 'SQ *JOES CAFE 4432 LONDON GB', 'FPO J SMITH REF RENT', 'AMZN Mktp UK*2K4LT12J5'];
    const rules = [rule({ pattern: 'j smith*rent', category: 'RENT_AND_UTILITIES_RENT' }), rule({ merchantKey: 'amazon', minAmount: 10_000n, category: 'GENERAL_MERCHANDISE_ELECTRONICS' })];
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) categorize(spend(lines[i % lines.length]!, { amount: BigInt(i) }), rules);
    // About 0.2 s on a laptop; the bound is 50 times that, so a busy CI machine does not flake.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
