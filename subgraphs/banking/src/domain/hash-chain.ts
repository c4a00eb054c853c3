import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** Hash before the first transfer. */
export const GENESIS_HASH = '0'.repeat(64);

/** The immutable content of a transfer that its chain hash covers. */
export interface ChainedContent {
  seq: bigint;
  id: string;
  code: string;
  description: string;
  metadata: Record<string, unknown>;
  causedBy: string | null;
  phase: string;
  pendingId: string | null;
  amount?: bigint | null;
  createdAt: Date;
  postings: { accountId: string; direction: string; amount: bigint; currency: string; pending: boolean }[];
}

/**
 * hash(n) = SHA-256(hash(n-1) ‖ canonical content of transfer n): changing,
 * removing or reordering any transfer breaks every hash after it.
 */
export function chainHash(previousHash: string, content: ChainedContent): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonicalJson(content)).digest('hex');
}
