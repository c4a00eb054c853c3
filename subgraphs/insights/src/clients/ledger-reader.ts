import { parseDecimal, type CurrencyCode, type ServiceClient } from '@meridian/platform';

/** A ledger account as insights needs to know it. */
export interface LedgerAccount {
  id: string;
  ownerId: string | null;
  kind: 'CUSTOMER' | 'SYSTEM';
  type: string;
  name: string;
  currency: CurrencyCode;
}

/** One leg of a transfer, amounts in minor units. */
export interface LedgerPosting {
  accountId: string;
  direction: 'DEBIT' | 'CREDIT';
  amount: bigint;
  currency: CurrencyCode;
  pending: boolean;
}

/** A transfer from the ledger's history, as it stands now. */
export interface LedgerHistoryTransfer {
  seq: bigint;
  id: string;
  code: string;
  description: string;
  metadata: Record<string, unknown>;
  phase: 'SINGLE' | 'PENDING' | 'POST_PENDING' | 'VOID_PENDING';
  status: 'POSTED' | 'PENDING' | 'VOIDED' | 'EXPIRED';
  pendingId: string | null;
  createdAt: Date;
  postings: LedgerPosting[];
}

interface HistoryJson {
  transfers: {
    seq: string;
    id: string;
    code: string;
    description: string;
    metadata: Record<string, unknown>;
    phase: LedgerHistoryTransfer['phase'];
    status: LedgerHistoryTransfer['status'];
    pendingId: string | null;
    createdAt: string;
    postings: { accountId: string; direction: 'DEBIT' | 'CREDIT'; amount: string; currency: CurrencyCode; pending: boolean }[];
  }[];
  nextAfterSeq: string | null;
}

/** Banking's internal ledger API, read-only: insights is one of its LEDGER_READ_CALLERS. */
export class LedgerReader {
  constructor(private readonly api: ServiceClient) {}

  /** An account with its owner. Errors: NOT_FOUND; ServiceCallError when banking does not answer. */
  async account(id: string): Promise<LedgerAccount> {
    const a = await this.api.request<LedgerAccount>('GET', `/internal/ledger/accounts/${encodeURIComponent(id)}`);
    return { id: a.id, ownerId: a.ownerId, kind: a.kind, type: a.type, name: a.name, currency: a.currency };
  }

  /** One page of the ledger in chain order after `afterSeq`, and where the next page starts (null at the end). */
  async history(afterSeq: bigint, limit = 500): Promise<{ transfers: LedgerHistoryTransfer[]; nextAfterSeq: bigint | null }> {
    const page = await this.api.request<HistoryJson>('GET', `/internal/ledger/history?afterSeq=${afterSeq}&limit=${limit}`);
    return {
      transfers: page.transfers.map((t) => ({
        seq: BigInt(t.seq),
        id: t.id,
        code: t.code,
        description: t.description,
        metadata: t.metadata,
        phase: t.phase,
        status: t.status,
        pendingId: t.pendingId,
        createdAt: new Date(t.createdAt),
        postings: t.postings.map((p) => ({ accountId: p.accountId, direction: p.direction, amount: parseDecimal(p.amount, p.currency), currency: p.currency, pending: p.pending })),
      })),
      nextAfterSeq: page.nextAfterSeq === null ? null : BigInt(page.nextAfterSeq),
    };
  }
}
