/** Weight of each agreeing leading character (Winkler's p). */
const PREFIX_SCALE = 0.1;
/** Most leading characters that earn the prefix bonus. */
const MAX_PREFIX = 4;

/**
 * Jaro-Winkler similarity of two strings, 0..1: the Jaro similarity (shared
 * characters within half the longer length of each other, less half the
 * transpositions) raised by 0.1 of the remaining gap for each of up to four
 * agreeing leading characters.
 *
 * Written here rather than taken from cmpstr: cmpstr 3.3.0 shares pooled
 * buffers between the two match arrays (komed3/cmpstr#152), so its result
 * depends on earlier calls, which screening cannot allow.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length > 0 ? 1 : 0;
  // A fixed order (shorter first, then alphabetical) makes the result symmetric even with repeated letters.
  const [short, long] = a.length < b.length || (a.length === b.length && a < b) ? [a, b] : [b, a];
  if (short.length === 0) return 0;
  const half = (long.length >> 1) - 1;
  const window = half > 0 ? half : 0;
  const matchedShort = new Uint8Array(short.length);
  const matchedLong = new Uint8Array(long.length);
  let matches = 0;
  for (let i = 0; i < short.length; i++) {
    const end = i + window + 1 < long.length ? i + window + 1 : long.length;
    for (let j = i > window ? i - window : 0; j < end; j++) {
      if (matchedLong[j] === 0 && short[i] === long[j]) {
        matchedShort[i] = 1;
        matchedLong[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  for (let i = 0, j = 0; i < short.length; i++) {
    if (matchedShort[i] === 0) continue;
    while (matchedLong[j] === 0) j++;
    if (short[i] !== long[j]) outOfOrder++;
    j++;
  }
  const jaro = (matches / short.length + matches / long.length + (matches - outOfOrder / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < MAX_PREFIX && prefix < short.length && short[prefix] === long[prefix]) prefix++;
  return jaro + prefix * PREFIX_SCALE * (1 - jaro);
}
