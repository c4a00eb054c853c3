/** The bank's channel words around a counterparty's name, and the tags payment processors put before it. */
import { CHANNEL_PREFIXES, CHANNEL_SUFFIXES, PROCESSOR_TAGS, SILENT_PROCESSORS, type PaymentChannel } from './descriptor-noise';
import { startsWithLongMerchantName } from './merchant-patterns';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first words of all channel phrases, so most lines skip the regular expressions. */
const channelFirstWords = new Set(
  Object.values(CHANNEL_PREFIXES).flatMap((phrases) => phrases.map((phrase) => phrase.split(' ')[0]!)),
);

/** One alternation per channel, longest phrase first; a phrase must end at a word boundary. */
const channelPrefixes = (Object.entries(CHANNEL_PREFIXES) as [PaymentChannel, readonly string[]][]).map(
  ([channel, phrases]) => {
    const alternatives = [...phrases].sort((a, b) => b.length - a.length).map((p) => escapeRegExp(p).replace(/ /g, '\\s+'));
    return { channel, pattern: new RegExp(`^(?:${alternatives.join('|')})(?=$|[\\s:.,*-])[\\s:.,-]*`, 'i') };
  },
);
export const processorPrefix = new RegExp(`^(${PROCESSOR_TAGS.map(escapeRegExp).join('|')})\\s*\\*\\s*`, 'i');
export const silentProcessorPrefix = new RegExp(`^(?:${SILENT_PROCESSORS.join('|')})\\s+`, 'i');
const channelSuffix = new RegExp(`[\\s,]+(${Object.keys(CHANNEL_SUFFIXES).map(escapeRegExp).join('|')})$`, 'i');

/** Removes the bank's channel words from both ends, returning what is left and the channel they named. */
export function stripChannel(text: string): { rest: string; channel: PaymentChannel | null } {
  let rest = text;
  let channel: PaymentChannel | null = null;
  // HSBC's ")))" and the word CONTACTLESS can sit anywhere in the line.
  if (/\){3}|\bCONTACTLESS\b/i.test(rest)) {
    channel = 'CARD';
    rest = rest.replace(/\){3}|\bCONTACTLESS(?:\s+PAYMENT)?\b/gi, ' ').trim();
  }
  for (let step = 0; step < 3; step++) {
    const firstWord = /^[^\s:.,*-]*/.exec(rest)![0].toUpperCase();
    if (!channelFirstWords.has(firstWord)) break;
    const hit = channelPrefixes.find(({ pattern }) => pattern.test(rest));
    if (!hit || startsWithLongMerchantName(rest)) break;
    const remainder = rest.replace(hit.pattern, '');
    // "ATM FEE", "CASH WITHDRAWAL FEE": the channel words name the fee, they are not the channel.
    if (/^FEES?\b/i.test(remainder)) break;
    channel ??= hit.channel;
    rest = remainder;
  }
  for (let step = 0; step < 2; step++) {
    const suffix = channelSuffix.exec(rest);
    if (!suffix || suffix.index === 0) break;
    channel ??= CHANNEL_SUFFIXES[suffix[1]!.toUpperCase()] ?? null;
    rest = rest.slice(0, suffix.index);
  }
  return { rest: rest.trim(), channel };
}
