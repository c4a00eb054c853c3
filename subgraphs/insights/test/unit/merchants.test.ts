import { MERCHANT_DIRECTORY } from '../../src/domain/merchant-directory';
import { parseDescriptor } from '../../src/domain/merchants';
import { PRIMARY_CATEGORIES, isDetailedCategory, primaryOf } from '../../src/domain/taxonomy';

/** The readable name and the directory merchant a raw descriptor gives. */
const nameOf = (raw: string) => parseDescriptor(raw).name;
const merchantOf = (raw: string) => parseDescriptor(raw).merchant;

describe('the name parseDescriptor reads', () => {
  it.each([
    ['PRET A MANGER 1234 LONDON GB', 'Pret A Manger'],
    ['AMZN Mktp UK*2K4LT12J5', 'Amazon'],
    ['TFL TRAVEL CH', 'TfL'],
    ['AMAZON.CO.UK*AB12CD', 'Amazon'],
    ['SQ *JOES CAFE 4432 LONDON GB', "Joe's Cafe"],
  ])('reads %j as %j', (raw, name) => {
    expect(nameOf(raw)).toBe(name);
  });

  it.each([
    ['Barclays card payment', 'CARD PAYMENT TO TESCO STORES 3297 ON 12 MAR', 'Tesco'],
    ['Lloyds debit card code', 'DEB SAINSBURYS S/MKTS CD 4821', "Sainsbury's"],
    ['HSBC contactless', '))) CAFFE NERO 1203 MANCHESTER', 'Caffè Nero'],
    ['Santander amount and rate', 'CARD PAYMENT TO CAFE BOHEMIA,4.50 GBP, RATE 1.00/GBP ON 10-03-2025', 'Cafe Bohemia'],
    ['Santander direct debit', 'DIRECT DEBIT PAYMENT TO OVO ENERGY REF 12345, MANDATE NO 2', 'OVO'],
    ['Chase point of sale', 'POS DEBIT CHIPOTLE 1432 NEW YORK NY', 'Chipotle'],
    ['Wells Fargo authorisation', 'PURCHASE AUTHORIZED ON 02/14 THE CHEESECAKE FACTORY SAN DIEGO CA S304045123456789 CARD 5521', 'The Cheesecake Factory'],
    ['Bank of America check card', 'CHECKCARD 0312 OLIVE GARDEN 1234 ORLANDO FL', 'Olive Garden'],
    ['Chase ACH record', 'ORIG CO NAME:GEICO ORIG ID:9999999999 DESC DATE:031524 CO ENTRY DESCR:PREM SEC:PPD', 'GEICO'],
    ['fixed-width network record', 'BOMBAY SPICE TANDOORI    BRISTOL      GB', 'Bombay Spice Tandoori'],
    ['SumUp', 'SumUp  *The Little Roastery', 'The Little Roastery'],
    ['Zettle', 'iZ *Honest Brew Coffee Cart', 'Honest Brew Coffee Cart'],
    ['PayPal', 'PAYPAL *NETFLIX', 'Netflix'],
    ['Curve', 'CRV*GREGGS PLC', 'Greggs'],
    ['Toast', 'TST* LUIGIS ITALIAN KITCHEN BROOKLYN NY', 'Luigis Italian Kitchen'],
    ['Nationwide contactless', 'Contactless Payment THE BREAD SHOP', 'The Bread Shop'],
    ['legal form and web address', 'ACME PLUMBING LTD', 'Acme Plumbing'],
    ['a clean name from Monzo', 'Blue Bottle Coffee', 'Blue Bottle Coffee'],
  ])('strips the noise of a %s', (_style, raw, name) => {
    expect(nameOf(raw)).toBe(name);
  });

  it('adds the apostrophe a descriptor drops before a venue word only', () => {
    expect(nameOf('SQ *TONYS PIZZA')).toBe("Tony's Pizza");
    expect(nameOf('SQ *NOODLES BAR')).toBe('Noodles Bar');
    expect(nameOf('BOOTS 1234')).toBe('Boots');
  });

  it('falls back to the raw text rather than an empty name when nothing readable is left', () => {
    for (const raw of ['1234', 'DD', '*', 'XXXX1234', 'CARD PAYMENT TO 1234 ON 12 MAR']) {
      expect(nameOf(raw).length).toBeGreaterThan(0);
    }
    expect(nameOf('   ')).toBe('');
  });
});

describe('the merchant parseDescriptor finds', () => {
  it('returns the directory entry with its key, name and category', () => {
    expect(merchantOf('AMZN Mktp UK*2K4LT12J5')).toEqual({ key: 'amazon', name: 'Amazon', category: 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES' });
    expect(merchantOf('TFL TRAVEL CH')).toMatchObject({ key: 'tfl', category: 'TRANSPORTATION_PUBLIC_TRANSIT' });
  });

  it('returns null for a business it does not know', () => {
    expect(merchantOf('SQ *JOES CAFE 4432 LONDON GB')).toBeNull();
    expect(merchantOf('FPO J SMITH REF RENT')).toBeNull();
  });

  it('prefers the longest pattern, so a brand’s other businesses are told apart', () => {
    expect(merchantOf('TESCO PFS 3297 LONDON')?.key).toBe('tesco-petrol');
    expect(merchantOf('TESCO STORES 3297')?.key).toBe('tesco');
    expect(merchantOf('UBER *EATS PENDING')?.key).toBe('uber-eats');
    expect(merchantOf('UBER *TRIP HELP.UBER.COM')?.key).toBe('uber');
    expect(merchantOf('DD SHELL ENERGY')?.key).toBe('shell-energy');
    expect(merchantOf('SHELL ABBEY ROAD 4231')?.key).toBe('shell');
  });

  it('reads the merchant at the start of the name only, not in a fee line that mentions it', () => {
    expect(merchantOf('NON-STERLING TRANSACTION FEE NETFLIX')).toBeNull();
    expect(merchantOf('THE CO-OPERATIVE FOOD 1234')?.key).toBe('co-op');
  });

  it('keeps channel-like first words that belong to the name', () => {
    expect(merchantOf('SO ENERGY')?.key).toBe('so-energy');
    expect(merchantOf('DR MARTENS 0231')?.key).toBe('dr-martens');
    expect(merchantOf('7-ELEVEN 38261 NEW YORK NY')?.key).toBe('seven-eleven');
    expect(merchantOf('SO J SMITH RENT')).toBeNull();
  });

  it('reads spaced and joined ampersands alike', () => {
    expect(merchantOf('B & Q 1234')?.key).toBe('b-and-q');
    expect(merchantOf('B&Q 1234')?.key).toBe('b-and-q');
    expect(merchantOf('Marks & Spencer')?.key).toBe('marks-and-spencer');
    expect(merchantOf('PG&E/EZ-PAY')?.key).toBe('pg-and-e');
  });
});

describe('parseDescriptor', () => {
  it('reports the channel and keeps the payer’s reference apart from the name', () => {
    expect(parseDescriptor('FPO J SMITH REF RENT MARCH')).toMatchObject({
      name: 'J Smith', channel: 'TRANSFER', words: ['J', 'SMITH'], referenceWords: ['RENT', 'MARCH'],
    });
    expect(parseDescriptor('FASTER PAYMENTS RECEIPT REF.SALARY FROM ACME LTD')).toMatchObject({
      name: 'Acme', channel: 'TRANSFER', referenceWords: ['SALARY'],
    });
    expect(parseDescriptor('DD BRITISH GAS').channel).toBe('DIRECT_DEBIT');
    expect(parseDescriptor('))) SPAR 4412 EDINBURGH').channel).toBe('CARD');
    expect(parseDescriptor('CPT LNK BRIXTON RD 13MAR').channel).toBe('ATM');
    expect(parseDescriptor('Blue Bottle Coffee').channel).toBeNull();
  });

  it('does not mistake a fee named after a channel for the channel', () => {
    expect(parseDescriptor('ATM FEE - NON-CHASE ATM')).toMatchObject({ channel: null, words: ['ATM', 'FEE', 'NON', 'CHASE', 'ATM'] });
  });
});

describe('the merchant directory', () => {
  it('holds well over 150 merchants with unique kebab-case keys and valid categories', () => {
    expect(MERCHANT_DIRECTORY.length).toBeGreaterThan(150);
    const keys = MERCHANT_DIRECTORY.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const merchant of MERCHANT_DIRECTORY) {
      expect(merchant.key).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(isDetailedCategory(merchant.category)).toBe(true);
      if (merchant.incomeCategory) expect(isDetailedCategory(merchant.incomeCategory)).toBe(true);
      expect(merchant.patterns.length).toBeGreaterThan(0);
    }
  });

  it('covers every primary category people pay merchants in', () => {
    const covered = new Set(MERCHANT_DIRECTORY.map((m) => primaryOf(m.category)));
    const paidToMerchants = PRIMARY_CATEGORIES.filter((p) => p !== 'BANK_FEES' && p !== 'TRANSFER_IN');
    expect(paidToMerchants.filter((p) => !covered.has(p))).toEqual([]);
  });

  it('finds each merchant by each of its patterns, so no pattern is shadowed by another merchant’s', () => {
    const misses = MERCHANT_DIRECTORY.flatMap((merchant) =>
      merchant.patterns.filter((pattern) => merchantOf(pattern)?.key !== merchant.key).map((pattern) => `${merchant.key}: ${pattern}`),
    );
    expect(misses).toEqual([]);
  });
});
