import { createHash } from 'node:crypto';

/**
 * A UUID (version 8, RFC 9562) derived from another id and a purpose, e.g.
 * the ledger transfer that posts a payment's hold. The same inputs give the
 * same id on every replica and every retry, so a step repeated after a crash
 * is recognised by the ledger as the one already made.
 */
export function derivedId(base: string, purpose: string): string {
  const hex = createHash('sha256').update(`${base}\u0000${purpose}`).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
