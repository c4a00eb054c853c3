import { createHash } from 'node:crypto';

// Tamper-evident logs (banking's ledger, identity's audit log) chain their
// entries the same way: each entry's hash covers its predecessor's hash and
// the canonical JSON of its own content, so changing, removing or reordering
// any entry breaks every hash after it.

/** The hash before the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** hash(n) = SHA-256(hash(n−1) ‖ "\n" ‖ canonical JSON of entry n), in hex. */
export function hashChainLink(previousHash: string, canonicalContent: string): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonicalContent).digest('hex');
}

/** What is stored with a chained entry. */
export interface StoredChainLink {
  seq: bigint;
  prevHash: string;
  hash: string;
}

/** How a stored link breaks the chain: a position missing, a link to the wrong predecessor, content changed. */
export type ChainBreakKind = 'SEQUENCE' | 'LINK' | 'HASH';

/** The first thing wrong with one stored link. */
export interface ChainBreak {
  kind: ChainBreakKind;
  /** The column that disagrees. */
  field: 'seq' | 'prev_hash' | 'hash';
  expected: string;
  found: string;
}

/**
 * Checks one stored link while walking a chain in order: its seq must be the
 * next one, its prev_hash the previous entry's hash, and its hash what its
 * content hashes to now (`recompute`, called only when the first two hold).
 * Returns null when the link holds.
 */
export function checkChainLink(
  stored: StoredChainLink,
  walk: { expectedSeq: bigint; previousHash: string },
  recompute: () => string,
): ChainBreak | null {
  if (stored.seq !== walk.expectedSeq) {
    return { kind: 'SEQUENCE', field: 'seq', expected: walk.expectedSeq.toString(), found: stored.seq.toString() };
  }
  if (stored.prevHash !== walk.previousHash) {
    return { kind: 'LINK', field: 'prev_hash', expected: walk.previousHash, found: String(stored.prevHash) };
  }
  const hash = recompute();
  return hash === stored.hash ? null : { kind: 'HASH', field: 'hash', expected: hash, found: String(stored.hash) };
}
