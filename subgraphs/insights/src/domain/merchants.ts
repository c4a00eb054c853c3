import { processorPrefix, silentProcessorPrefix, stripChannel } from './descriptor-channel';
import type { PaymentChannel } from './descriptor-noise';
import { isNumber, isReferenceCode, nameWords, tokenize } from './descriptor-words';
import { displayName } from './display-name';
import { matchMerchant, type Merchant } from './merchant-patterns';

export type { PaymentChannel } from './descriptor-noise';
export type { Merchant } from './merchant-patterns';

/** What a raw statement line says once the bank's and the card network's noise is taken away. */
export interface ParsedDescriptor {
  /** A readable counterparty name: the merchant's own, or the cleaned descriptor ("Joe's Cafe"). */
  name: string;
  /** Upper-case words of the counterparty's name, without numbers, codes and location, for keyword rules. */
  words: readonly string[];
  /** Upper-case words of the payment reference the payer typed ("RENT", "SALARY"), if any. */
  referenceWords: readonly string[];
  /** The channel the bank printed ("DD", "CARD PAYMENT TO", ")))"), if any. */
  channel: PaymentChannel | null;
  /** The directory merchant the descriptor names, if any. */
  merchant: Merchant | null;
}

/** Longest part of a descriptor that is read; card networks send 22 to 40 characters, bank exports rarely over 140. */
const MAX_DESCRIPTOR_LENGTH = 256;

// Dates, times, amounts and card numbers as banks print them: "ON 12 MAR", "12MAR24",
// "12/03/2025", "2025-03-12", "14:32", "12.50 GBP", "CD 1234", "XXXX1234".
const MONTH = '(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEPT?|OCT|NOV|DEC)';
const numericNoise = new RegExp(
  [
    `\\bON\\s+\\d{1,2}\\s*${MONTH}[A-Z]*(?:\\s*\\d{2,4})?\\b`,
    `\\b\\d{1,2}\\s?${MONTH}(?:\\s?\\d{2,4})?\\b`,
    '\\b\\d{4}-\\d{2}-\\d{2}\\b',
    '\\b\\d{1,2}[/.-]\\d{1,2}(?:[/.-]\\d{2,4})?\\b',
    '\\b\\d{1,2}:\\d{2}(?::\\d{2})?\\b',
    '\\b\\d+[.,]\\d{2}\\s*(?:GBP|USD|EUR)?\\b',
    '\\b(?:GBP|USD|EUR)\\s*\\d+(?:[.,]\\d{2})?\\b',
    '\\b(?:CD|CARD|CARD NO)\\.?\\s*\\d{4}\\b',
    '[X*]{4,}\\d{4}\\b',
  ].join('|'),
  'gi',
);
/** US ACH trailers ("PPD ID: 1234567890") end the useful part of the line. */
const achTrailer = /\b(?:PPD|WEB|TEL|CCD)\s+ID:?.*$/i;
/** Words a payment reference starts with: Barclays "REF", Santander "REFERENCE", "RE:". */
const referenceMarker = /\s+(?:REF(?:ERENCE)?\b[.:]?|RE:|MANDATE NO\b)\s*/i;
/** Santander's inbound form "REF.SALARY FROM ACME LTD": the reference comes before the payer. */
const referenceThenPayer = /^REF(?:ERENCE)?[.:\s]\s*(.*?)\s+FROM\s+(.+)$/i;
/** Chase's ACH form: "ORIG CO NAME:GEICO ORIG ID:… CO ENTRY DESCR:PREM SEC:PPD …". */
const achRecord = /ORIG CO NAME:\s*(.+?)\s+ORIG ID:.*?(?:CO ENTRY DESCR:\s*(.+?)\s+SEC:|$)/i;

/**
 * Reads a raw statement line: its readable name, keyword words, channel and directory merchant.
 * Only the first `MAX_DESCRIPTOR_LENGTH` characters are read: banks print far fewer, and a
 * payer-typed reference must not make the expressions here slow.
 */
export function parseDescriptor(raw: string): ParsedDescriptor {
  let text = raw.slice(0, MAX_DESCRIPTOR_LENGTH).replace(/\t/g, ' ').trim();
  let reference = '';
  let channel: PaymentChannel | null = null;

  const ach = achRecord.exec(text);
  if (ach) {
    text = ach[1]!;
    reference = ach[2] ?? '';
    channel = 'DIRECT_DEBIT';
  } else {
    ({ rest: text, channel } = stripChannel(text));
  }
  if (/\d/.test(text)) text = text.replace(numericNoise, ' ').replace(achTrailer, ' ');

  const payerAfterReference = referenceThenPayer.exec(text);
  if (payerAfterReference) {
    reference = `${payerAfterReference[1]} ${reference}`;
    text = payerAfterReference[2]!;
  } else {
    const marker = referenceMarker.exec(text);
    if (marker) {
      reference = `${text.slice(marker.index + marker[0].length)} ${reference}`;
      text = text.slice(0, marker.index);
    }
  }
  text = text.split(',')[0]!.trim();

  // "SQ *JOES CAFE": the seller follows the processor's tag.
  const processor = processorPrefix.exec(text) ?? silentProcessorPrefix.exec(text);
  if (processor) text = text.slice(processor[0].length);
  // Fixed-width network records separate name, city and country by runs of spaces: the name is the first field.
  text = text.trim().split(/\s{2,}/)[0] ?? '';

  // "AMZN Mktp UK*2K4LT12J5", "UBER *EATS": the name is before the `*`, a product or an order code after it.
  const star = text.indexOf('*');
  const shown = star > 0 ? text.slice(0, star) : text.replace('*', ' ');
  const matched = text.replace(/\*/g, ' ');
  const { all, tokens: nameTokens, leadingNumber } = nameWords(matched);
  const shownTokens = nameWords(shown).tokens;
  const referenceWords = tokenize(reference)
    .map((t) => t.key)
    .filter((key) => !isNumber(key) && !isReferenceCode(key));

  // A leading number may belong to the name ("7-ELEVEN") rather than be a store number.
  const withNumber = leadingNumber ? matchMerchant(tokenize(matched).map((t) => t.key)) : null;
  const merchant = withNumber ?? matchMerchant(all.map((t) => t.key));
  const words = nameTokens.map((t) => t.key).filter((key) => !isNumber(key));
  const name = merchant?.name || displayName(shownTokens) || displayName(nameTokens) || raw.slice(0, MAX_DESCRIPTOR_LENGTH).trim();
  return { name, words, referenceWords, channel, merchant };
}
