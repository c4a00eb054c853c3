import { canonicalJson, GENESIS_HASH, hashChainLink } from '@meridian/platform';

/** Hash before the first transfer. */
export { GENESIS_HASH };

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
  return hashChainLink(previousHash, chainedJson(content));
}

/**
 * canonicalJson(content), written out for the fields a chained transfer has
 * (in sorted key order), since it runs for every posting of every transfer.
 */
export function chainedJson(c: ChainedContent): string {
  const postings = c.postings.map((p) =>
    p.accountId === undefined || p.amount === undefined || p.currency === undefined || p.direction === undefined || p.pending === undefined
      ? canonicalJson(p)
      : `{"accountId":${canonicalJson(p.accountId)},"amount":${canonicalJson(p.amount)},"currency":${canonicalJson(p.currency)},"direction":${canonicalJson(p.direction)},"pending":${canonicalJson(p.pending)}}`,
  );
  const members: string[] = [];
  const add = (key: string, value: unknown) => {
    if (value !== undefined) members.push(`"${key}":${canonicalJson(value)}`);
  };
  add('amount', c.amount);
  add('causedBy', c.causedBy);
  add('code', c.code);
  add('createdAt', c.createdAt);
  add('description', c.description);
  add('id', c.id);
  add('metadata', c.metadata);
  add('pendingId', c.pendingId);
  add('phase', c.phase);
  members.push(`"postings":[${postings.join(',')}]`);
  add('seq', c.seq);
  return `{${members.join(',')}}`;
}
