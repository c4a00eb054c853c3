import type { CurrencyCode } from '../domain/currency';

/** Accounts a demo step moves money between: the customer's three, and the bank's system accounts. */
export type DemoAccountRef = 'current' | 'savings' | 'wallet' | 'clearing' | 'fees';

/** One planned movement of the demo history. */
export type DemoStep =
  | {
      kind: 'transfer';
      /** Stable name of the step within the plan, e.g. `2025-03-14:groceries`: its transfer id derives from it. */
      key: string;
      bookedAt: Date;
      code: string;
      description: string;
      category: string;
      /** The merchant category code a card network sends with a card payment (ISO 18245). */
      mcc?: string;
      from: DemoAccountRef;
      to: DemoAccountRef;
      /** Minor units. */
      amount: bigint;
      currency: CurrencyCode;
    }
  | {
      /** GBP from the current account to the EUR wallet through an FX quote (or EUR from clearing without FX). */
      kind: 'wallet-top-up';
      key: string;
      bookedAt: Date;
      /** GBP pence sold when converting. */
      sellAmount: bigint;
      /** EUR cents received when there is no FX service. */
      fallbackAmount: bigint;
    };

/** A small, fast PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY_MS = 86_400_000;
const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)];
/** Whole minor units from min to max inclusive: randomness picks an integer, never a float amount. */
const between = (rand: () => number, min: number, max: number): bigint => BigInt(min + Math.floor(rand() * (max - min + 1)));
const at = (day: Date, hour: number, minute = 0) => new Date(day.getTime() + hour * 3_600_000 + minute * 60_000);
const isoDay = (day: Date) => day.toISOString().slice(0, 10);

// Card payments carry the descriptor and merchant category code a card network sends, as a statement shows them.
const GROCERS = [
  { descriptor: 'TESCO STORES 3297 LONDON GB', mcc: '5411' },
  { descriptor: "SAINSBURY'S S/MKT 0321 LONDON GB", mcc: '5411' },
  { descriptor: 'ALDI 82 775 LONDON GB', mcc: '5411' },
  { descriptor: 'WAITROSE 0123 LONDON GB', mcc: '5411' },
  { descriptor: 'LIDL GB LONDON', mcc: '5411' },
  { descriptor: 'CO-OP GROUP 070823 LONDON GB', mcc: '5411' },
] as const;
const CARD_SPENDING = [
  { merchant: 'PRET A MANGER 1234 LONDON GB', mcc: '5814', category: 'eating_out', min: 280, max: 950 },
  { merchant: 'COSTA COFFEE 41022 LONDON GB', mcc: '5814', category: 'eating_out', min: 290, max: 620 },
  { merchant: 'TFL TRAVEL CH', mcc: '4111', category: 'transport', min: 280, max: 810 },
  { merchant: 'AMZN Mktp UK*2K4LT12J5', mcc: '5942', category: 'shopping', min: 799, max: 6_499 },
  { merchant: 'BOOTS 1123 LONDON GB', mcc: '5912', category: 'shopping', min: 350, max: 2_800 },
  { merchant: 'DELIVEROO.CO.UK LONDON GB', mcc: '5812', category: 'eating_out', min: 1_450, max: 3_600 },
  { merchant: 'ODEON CINEMAS LTD LONDON GB', mcc: '7832', category: 'entertainment', min: 1_100, max: 2_600 },
] as const;
const WEEKEND_DINING = ['DISHOOM COVENT GARDEN LONDON GB', 'NANDOS 0412 LONDON GB', 'FRANCO MANCA 23 LONDON GB', 'THE IVY 1234 LONDON GB', 'WAGAMAMA 055 LONDON GB'] as const;
const ABROAD = [
  { descriptor: 'CAFE A BRASILEIRA LISBOA PT', mcc: '5814' },
  { descriptor: 'PINGO DOCE LISBOA PT', mcc: '5411' },
  { descriptor: 'TIME OUT MARKET LISBOA PT', mcc: '5812' },
  { descriptor: 'BOULANGERIE JULIEN PARIS FR', mcc: '5462' },
  { descriptor: 'MONOPRIX PARIS FR', mcc: '5411' },
  { descriptor: 'LE COMPTOIR PARIS FR', mcc: '5812' },
] as const;
/** Months of the history (0-based) with a week abroad spending from the EUR wallet. */
const TRIP_MONTHS = new Set([3, 8]);

/**
 * The demo customer's year: salary on the 25th (the Friday before when it falls on a
 * weekend), rent, bills and subscriptions on fixed days, weekly groceries, everyday
 * card spending, a monthly transfer to savings, wallet top-ups every other month, two
 * trips abroad, and monthly cashback from the bank, ending with a cashback on the last
 * day. Pure: the same seed and end give the same steps, in the same order.
 */
export function planDemoHistory(seed: number, until: Date): { from: Date; steps: DemoStep[] } {
  const rand = mulberry32(seed);
  const end = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate()));
  const from = new Date(Date.UTC(end.getUTCFullYear() - 1, end.getUTCMonth(), end.getUTCDate()));
  const steps: DemoStep[] = [];
  // Keys carry the day, except the opening's: a later run finds it without knowing the dates.
  const transfer = (day: Date | null, name: string, s: Omit<Extract<DemoStep, { kind: 'transfer' }>, 'kind' | 'key'>) =>
    steps.push({ kind: 'transfer', key: day ? `${isoDay(day)}:${name}` : name, ...s });
  const spend = (day: Date, name: string, hour: number, merchant: string, category: string, amount: bigint, code = 'CARD_PAYMENT', mcc?: string) =>
    transfer(day, name, { bookedAt: at(day, hour, Math.floor(rand() * 60)), code, description: merchant, category, mcc, from: 'current', to: 'clearing', amount, currency: 'GBP' });

  transfer(null, 'opening', {
    bookedAt: at(from, 9),
    code: 'OPENING_BALANCE',
    description: 'Switched from Northern Bank',
    category: 'transfer_in',
    from: 'clearing',
    to: 'current',
    amount: 185_000n,
    currency: 'GBP',
  });
  transfer(null, 'opening-savings', {
    bookedAt: at(from, 9, 5),
    code: 'OPENING_BALANCE',
    description: 'Savings moved from Northern Bank',
    category: 'transfer_in',
    from: 'clearing',
    to: 'savings',
    amount: 400_000n,
    currency: 'GBP',
  });

  let monthIndex = 0;
  let cardSpendThisMonth = 0n;
  for (let day = from; day.getTime() <= end.getTime(); day = new Date(day.getTime() + DAY_MS)) {
    const dom = day.getUTCDate();
    const month = day.getUTCMonth();
    const weekday = day.getUTCDay();
    if (dom === 1 && day.getTime() !== from.getTime()) {
      monthIndex += 1;
      // Last month's cashback: 1% of card spending, paid by the bank.
      if (cardSpendThisMonth > 0n) {
        transfer(day, 'cashback', { bookedAt: at(day, 4), code: 'CASHBACK', description: 'Meridian cashback', category: 'cashback', from: 'fees', to: 'current', amount: cardSpendThisMonth / 100n + 1n, currency: 'GBP' });
      }
      cardSpendThisMonth = 0n;
    }
    const winter = month <= 2 || month >= 10;

    if (dom === 1) spend(day, 'rent', 6, 'Harbour Lettings — rent', 'rent', 135_000n, 'STANDING_ORDER');
    if (dom === 1) spend(day, 'gym', 6, 'PureGym', 'subscriptions', 3_999n, 'DIRECT_DEBIT');
    if (dom === 3 && month !== 1 && month !== 2) spend(day, 'council-tax', 6, 'Camden Council — council tax', 'utilities', 16_200n, 'DIRECT_DEBIT');
    if (dom === 5) spend(day, 'netflix', 7, 'NETFLIX.COM', 'subscriptions', 1_099n, 'CARD_PAYMENT', '4899');
    if (dom === 8) spend(day, 'water', 6, 'Thames Water', 'utilities', 4_150n, 'DIRECT_DEBIT');
    if (dom === 12) spend(day, 'spotify', 7, 'Spotify P1C3A1F0E2', 'subscriptions', 1_199n, 'CARD_PAYMENT', '5815');
    if (dom === 15) spend(day, 'energy', 6, 'Octopus Energy', 'utilities', winter ? between(rand, 14_000, 19_000) : between(rand, 6_000, 9_000), 'DIRECT_DEBIT');
    if (dom === 18) spend(day, 'broadband', 6, 'BT Broadband', 'utilities', 3_200n, 'DIRECT_DEBIT');
    if (dom === 20) spend(day, 'mobile', 6, 'giffgaff', 'utilities', 1_200n, 'DIRECT_DEBIT');
    if (dom === 22) spend(day, 'icloud', 7, 'APPLE.COM/BILL', 'subscriptions', 299n, 'CARD_PAYMENT', '5818');

    const payday = dom === 25 || (weekday === 5 && (dom === 23 || dom === 24));
    if (payday && !(dom === 25 && (weekday === 0 || weekday === 6))) {
      const bonus = month === 11 ? 25_000n : 0n;
      transfer(day, 'salary', { bookedAt: at(day, 0, 1), code: 'SALARY', description: 'Northwind Analytics Ltd — salary', category: 'income', from: 'clearing', to: 'current', amount: 341_257n + bonus, currency: 'GBP' });
      transfer(day, 'to-savings', {
        bookedAt: at(day, 9),
        code: 'TRANSFER',
        description: 'Monthly saving',
        category: 'savings',
        from: 'current',
        to: 'savings',
        amount: pick(rand, [30_000n, 40_000n, 50_000n]),
        currency: 'GBP',
      });
    }

    if (weekday === 6) {
      const amount = between(rand, 3_800, 11_500);
      cardSpendThisMonth += amount;
      const grocer = pick(rand, GROCERS);
      spend(day, 'groceries', 10 + Math.floor(rand() * 6), grocer.descriptor, 'groceries', amount, 'CARD_PAYMENT', grocer.mcc);
    }
    if ((weekday === 5 || weekday === 6) && rand() < 0.45) {
      const amount = between(rand, 2_400, 7_800);
      cardSpendThisMonth += amount;
      spend(day, 'dining', 19 + Math.floor(rand() * 3), pick(rand, WEEKEND_DINING), 'eating_out', amount, 'CARD_PAYMENT', '5812');
    }
    const purchases = rand() < 0.6 ? 1 + Math.floor(rand() * 2) : 0;
    for (let i = 0; i < purchases; i++) {
      const kind = pick(rand, CARD_SPENDING);
      const amount = between(rand, kind.min, kind.max);
      cardSpendThisMonth += amount;
      spend(day, `card-${i}`, 8 + Math.floor(rand() * 13), kind.merchant, kind.category, amount, 'CARD_PAYMENT', kind.mcc);
    }

    if (dom === 10 && monthIndex % 2 === 1) {
      steps.push({ kind: 'wallet-top-up', key: `${isoDay(day)}:wallet-top-up`, bookedAt: at(day, 12), sellAmount: between(rand, 15_000, 40_000), fallbackAmount: between(rand, 17_000, 46_000) });
    }
    if (TRIP_MONTHS.has(monthIndex) && dom >= 12 && dom <= 18) {
      const count = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < count; i++) {
        const place = pick(rand, ABROAD);
        transfer(day, `abroad-${i}`, {
          bookedAt: at(day, 9 + Math.floor(rand() * 13), Math.floor(rand() * 60)),
          code: 'CARD_PAYMENT',
          description: place.descriptor,
          mcc: place.mcc,
          category: 'travel',
          from: 'wallet',
          to: 'clearing',
          amount: between(rand, 450, 6_800),
          currency: 'EUR',
        });
      }
    }
    if (TRIP_MONTHS.has(monthIndex) && dom === 11) {
      transfer(day, 'from-savings', { bookedAt: at(day, 8), code: 'TRANSFER', description: 'Holiday money', category: 'savings', from: 'savings', to: 'current', amount: 60_000n, currency: 'GBP' });
    }
  }
  // Always last, and a credit that cannot fail: a later run that finds it knows the seed is complete.
  transfer(end, 'cashback-to-date', { bookedAt: at(end, 23, 59), code: 'CASHBACK', description: 'Meridian cashback', category: 'cashback', from: 'fees', to: 'current', amount: cardSpendThisMonth / 100n + 1n, currency: 'GBP' });
  return { from, steps };
}
