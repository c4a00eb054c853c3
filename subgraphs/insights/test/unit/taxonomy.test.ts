import {
  DETAILED_CATEGORIES,
  PRIMARY_CATEGORIES,
  TAXONOMY,
  categoryLabel,
  isDetailedCategory,
  isPrimaryCategory,
  primaryOf,
} from '../../src/domain/taxonomy';

describe('the personal finance category taxonomy', () => {
  it('has Plaid’s 16 primary categories in Plaid’s order', () => {
    expect(PRIMARY_CATEGORIES).toEqual([
      'INCOME', 'TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS', 'BANK_FEES', 'ENTERTAINMENT', 'FOOD_AND_DRINK',
      'GENERAL_MERCHANDISE', 'HOME_IMPROVEMENT', 'MEDICAL', 'PERSONAL_CARE', 'GENERAL_SERVICES',
      'GOVERNMENT_AND_NON_PROFIT', 'TRANSPORTATION', 'TRAVEL', 'RENT_AND_UTILITIES',
    ]);
  });

  it('has Plaid’s 104 detailed categories, each named after its primary and each with an "other" bucket', () => {
    expect(DETAILED_CATEGORIES).toHaveLength(104);
    expect(new Set(DETAILED_CATEGORIES).size).toBe(104);
    for (const primary of PRIMARY_CATEGORIES) {
      const detailed = Object.keys(TAXONOMY[primary].detailed);
      for (const category of detailed) expect(category.startsWith(`${primary}_`)).toBe(true);
      expect(detailed.some((category) => category.includes('_OTHER_'))).toBe(true);
    }
  });

  it.each([
    ['FOOD_AND_DRINK_COFFEE', 'FOOD_AND_DRINK'],
    ['FOOD_AND_DRINK_GROCERIES', 'FOOD_AND_DRINK'],
    ['TRANSPORTATION_PUBLIC_TRANSIT', 'TRANSPORTATION'],
    ['RENT_AND_UTILITIES_RENT', 'RENT_AND_UTILITIES'],
    ['INCOME_WAGES', 'INCOME'],
    ['GENERAL_SERVICES_OTHER_GENERAL_SERVICES', 'GENERAL_SERVICES'],
    ['GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE', 'GENERAL_MERCHANDISE'],
    ['TRANSFER_IN_ACCOUNT_TRANSFER', 'TRANSFER_IN'],
    ['TRANSFER_OUT_ACCOUNT_TRANSFER', 'TRANSFER_OUT'],
  ] as const)('primaryOf(%s) is %s', (detailed, primary) => {
    expect(primaryOf(detailed)).toBe(primary);
  });

  it('maps every detailed category to the primary whose list holds it', () => {
    for (const primary of PRIMARY_CATEGORIES) {
      for (const category of Object.keys(TAXONOMY[primary].detailed)) {
        expect(isDetailedCategory(category)).toBe(true);
        if (isDetailedCategory(category)) expect(primaryOf(category)).toBe(primary);
      }
    }
  });

  it('recognises only exact names', () => {
    expect(isDetailedCategory('FOOD_AND_DRINK_COFFEE')).toBe(true);
    for (const value of ['food_and_drink_coffee', 'FOOD_AND_DRINK', 'COFFEE', '', ' FOOD_AND_DRINK_COFFEE', 'toString', '__proto__', null, 42]) {
      expect(isDetailedCategory(value)).toBe(false);
    }
    expect(isPrimaryCategory('TRAVEL')).toBe(true);
    for (const value of ['TRAVEL_FLIGHTS', 'travel', 'constructor', '__proto__', undefined]) expect(isPrimaryCategory(value)).toBe(false);
  });

  it('labels primary and detailed categories for people', () => {
    expect(categoryLabel('FOOD_AND_DRINK_COFFEE')).toBe('Coffee');
    expect(categoryLabel('FOOD_AND_DRINK')).toBe('Food and drink');
    for (const category of [...PRIMARY_CATEGORIES, ...DETAILED_CATEGORIES]) {
      expect(categoryLabel(category)).toMatch(/^[A-Z][A-Za-z ,+-]{1,40}$/);
    }
  });

  it('refuses an unknown category cast past the types instead of answering undefined', () => {
    expect(() => primaryOf('NOT_A_CATEGORY' as never)).toThrow(TypeError);
    expect(() => categoryLabel('NOT_A_CATEGORY' as never)).toThrow(TypeError);
  });
});
