/** The part of Web Crypto used here (present in browsers, Node 20 and, polyfilled, React Native). */
interface RandomSource {
  randomUUID?: () => string;
  getRandomValues?: <T extends Uint8Array>(array: T) => T;
}

/**
 * A fresh idempotency key (a random UUID, version 4) for a money mutation:
 * the `transferId` of `transferBetweenOwnAccounts(input: { transferId })`, or
 * the `Idempotency-Key` header a payment mutation is sent with
 * (`api.request(document, variables, { idempotencyKey })`). Make it once per
 * user intent (when the confirmation screen opens) and send the same key on
 * every retry of that request: the server then moves the money at most once
 * and answers a retry with the original result. A new key means a new intent.
 *
 * Uses `crypto.randomUUID` or `crypto.getRandomValues`; React Native needs a
 * `getRandomValues` polyfill (e.g. react-native-get-random-values).
 */
export function newIdempotencyKey(): string {
  const crypto = (globalThis as { crypto?: RandomSource }).crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  if (typeof crypto?.getRandomValues !== 'function') {
    throw new Error('newIdempotencyKey needs crypto.getRandomValues; on React Native install a polyfill such as react-native-get-random-values');
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
