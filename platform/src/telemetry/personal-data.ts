import type { Attributes, AttributeValue } from '@opentelemetry/api';

// What traces and logs must never carry, found by its shape wherever it turns up (an error's
// message, a URL, a statement) and by the name of the attribute or log field that holds it.

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * 8 to 19 digits, optionally grouped by single spaces: card numbers, account numbers (UK
 * eight-digit ones and Meridian's thirteen), phone numbers. Not part of a word, a decimal
 * or a hyphenated token, so UUIDs, ISO dates and amounts are left alone.
 */
const DIGIT_RUN = /(?<![\w.-])\d(?: ?\d){7,18}(?![\w.-])/g;

/** Names of attributes and log fields whose whole value is personal data, however it looks. */
export const PERSONAL_FIELD = /(?:^|[._])(?:e_?mail|email_address|display_?name|full_?name|first_?name|last_?name|phone(?:_number)?|pan|card_?number|account_?number|iban)$/i;

const DIGIT = /\d/g;

/** All but the last four digits starred, as a receipt shows a card. */
function maskDigits(run: string): string {
  const digits = run.replace(/ /g, '');
  return `${digits.slice(0, -4).replace(DIGIT, '*')}${digits.slice(-4)}`;
}

/**
 * The text with every email address replaced by `[email]` and every run of 8 to 19
 * digits starred but for its last four (`************4242`).
 */
export function maskPersonalData(text: string): string {
  if (text.length < 8) return text;
  return text.replace(EMAIL, '[email]').replace(DIGIT_RUN, maskDigits);
}

function maskValue(value: AttributeValue): AttributeValue {
  if (typeof value === 'string') return maskPersonalData(value);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? maskPersonalData(item) : item)) as AttributeValue;
  return value;
}

/** Attributes with personal data masked: fields named for it redacted whole, every other string masked by shape. */
export function maskAttributes(attributes: Attributes): Attributes {
  const masked: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    masked[key] = PERSONAL_FIELD.test(key) ? '[redacted]' : maskValue(value);
  }
  return masked;
}
