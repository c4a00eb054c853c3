import { errors } from '@meridian/platform';
import cardValidator from 'card-validator';

/** Card networks Meridian recognises, by card-validator's name for them. */
const BRANDS = {
  visa: 'VISA',
  mastercard: 'MASTERCARD',
  'american-express': 'AMERICAN_EXPRESS',
  'diners-club': 'DINERS_CLUB',
  discover: 'DISCOVER',
  jcb: 'JCB',
  unionpay: 'UNIONPAY',
  maestro: 'MAESTRO',
  mir: 'MIR',
  elo: 'ELO',
  hiper: 'HIPER',
  hipercard: 'HIPERCARD',
  troy: 'TROY',
  verve: 'VERVE',
  naranja: 'NARANJA',
} as const;

/** A card network, e.g. VISA, MASTERCARD, AMERICAN_EXPRESS. */
export type CardBrand = (typeof BRANDS)[keyof typeof BRANDS];

/** Card details as the customer typed them, on their way to the provider for a token. */
export interface CardInput {
  /** The card number; spaces and dashes allowed. */
  number: string;
  /** Expiry month, 1–12. */
  expMonth: number | string;
  /** Expiry year, two or four digits. */
  expYear: number | string;
  /** The security code on the card. */
  cvc: string;
}

/** What Meridian may keep about a card: never the number or the security code. */
export interface CardDetails {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  /** Four digits. */
  expYear: number;
}

/** Most cards one customer may keep. */
export const MAX_CARDS = 10;

/** A saved card: what may be kept, the provider's fingerprint of the number, and (sealed, not here) its token. */
export interface CardRecord extends CardDetails {
  id: string;
  userId: string;
  /** The provider's; the same for every token of one card number, so a card added twice is recognised. */
  fingerprint: string;
  createdAt: Date;
}

/**
 * A checked card: the details that may be stored, and the number and security
 * code that may only be handed to the provider in the tokenisation call.
 * The latter two are not enumerable, so spreading, serialising or logging the
 * result leaves them out.
 */
export interface CardForTokenisation {
  card: CardDetails;
  /** The number, digits only. Hand it to the provider; never store or log it. */
  readonly panForProvider: string;
  /** The security code. Hand it to the provider; never store or log it. */
  readonly cvcForProvider: string;
}

/** How many years ahead an expiry may lie; issuers print at most about ten. */
const MAX_YEARS_AHEAD = 20;

const isKnownBrand = (type: string): type is keyof typeof BRANDS => Object.prototype.hasOwnProperty.call(BRANDS, type);

// Neither message repeats what was typed: card numbers stay out of errors and logs.
const badNumber = () => errors.badInput('The card number is not valid.', { field: 'number' });
const badExpiry = (message = 'The expiry date is not valid.') => errors.badInput(message, { field: 'expiry' });

/** Expiry month and four-digit year, or BAD_USER_INPUT (`expiry`). */
function parseExpiry(month: number | string, year: number | string): { expMonth: number; expYear: number } {
  const m = String(month).trim();
  const y = String(year).trim();
  if (!/^\d{1,2}$/.test(m) || !/^(\d{2}|\d{4})$/.test(y)) throw badExpiry();
  const expMonth = Number(m);
  if (expMonth < 1 || expMonth > 12) throw badExpiry();
  return { expMonth, expYear: y.length === 2 ? 2000 + Number(y) : Number(y) };
}

/**
 * Checks card details before tokenisation: a number of a known brand that
 * passes the Luhn check (UnionPay included), an expiry no earlier than `now`'s
 * month (a card works to the end of its expiry month; months are counted in
 * UTC) and at most 20 years ahead, and a security code as long as the brand's.
 * Errors: BAD_USER_INPUT (`number`, `expiry`, `cvc`).
 */
export function validateCard(input: CardInput, now: Date): CardForTokenisation {
  const checked = cardValidator.number(input.number, { luhnValidateUnionPay: true });
  const network = checked.card;
  if (!checked.isValid || !network || !isKnownBrand(network.type)) throw badNumber();
  const brand = BRANDS[network.type];
  const pan = input.number.replace(/[\s-]/g, '');

  const { expMonth, expYear } = parseExpiry(input.expMonth, input.expYear);
  const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const expiry = expYear * 12 + (expMonth - 1);
  if (expiry < thisMonth) throw badExpiry('The card has expired.');
  if (expiry > thisMonth + MAX_YEARS_AHEAD * 12) throw badExpiry();

  const cvc = input.cvc.trim();
  const size = network.code.size;
  if (!cardValidator.cvv(cvc, size).isValid) {
    throw errors.badInput(`The security code has ${size} digits.`, { field: 'cvc' });
  }

  // defineProperties adds the two members the type promises; TypeScript cannot see that.
  const result = { card: { brand, last4: pan.slice(-4), expMonth, expYear } } as CardForTokenisation;
  return Object.defineProperties(result, {
    panForProvider: { value: pan, enumerable: false },
    cvcForProvider: { value: cvc, enumerable: false },
  });
}
