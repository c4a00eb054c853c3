import {
  auditChainColumns,
  auditEntryHash as chainedEntryHash,
  createAuditSealer as createChainSealer,
  sealAuditBatch as sealChainBatch,
  sealAuditLog,
  type AuditChainRow,
  type AuditSealerOptions,
  type ChainedAuditLog,
  type PeriodicWorker,
  type SealAuditOptions,
} from '@meridian/platform';
import type { DataSource, EntityManager } from 'typeorm';

// identity.audit_events is chained by the platform's audit chain
// (platform/src/audit): recordAuditEvent only inserts, and one sealer at a
// time gives committed entries their place; the trigger lets that one change
// through, once per entry, and nothing else.

export type { AuditChainRow, AuditSealerOptions, SealAuditOptions };

/**
 * identity.audit_events as a chained log. An entry's hash covers the previous
 * hash and the canonical JSON of its id, seq, time, type, user, IP, user
 * agent, request id and details.
 */
export const IDENTITY_AUDIT_LOG: ChainedAuditLog = {
  table: 'identity.audit_events',
  service: 'identity',
  idType: 'bigint',
  timeColumn: 'occurred_at',
  contentColumns: 'type, user_id, ip, user_agent, request_id, details',
  content: (row, seq) => ({
    id: String(row.id),
    seq,
    occurredAt: row.occurred_at,
    type: row.type,
    userId: row.user_id ?? null,
    ip: row.ip ?? null,
    userAgent: row.user_agent ?? null,
    requestId: row.request_id ?? null,
    details: row.details ?? {},
  }),
};

/** The columns an identity audit entry is read with for chaining and verifying. */
export const AUDIT_CHAIN_COLUMNS = auditChainColumns(IDENTITY_AUDIT_LOG);

/** The hash of an identity audit entry at `seq` after `previousHash`. */
export const auditEntryHash = (previousHash: string, seq: bigint, row: AuditChainRow): string => chainedEntryHash(IDENTITY_AUDIT_LOG, previousHash, seq, row);

/** Chains up to `batchSize` committed, unsealed entries inside `m`'s transaction; 0 when none wait or another sealer has the turn. */
export const sealAuditBatch = (m: EntityManager, batchSize: number): Promise<number> => sealChainBatch(m, IDENTITY_AUDIT_LOG, batchSize);

/** Chains every unsealed entry committed so far; resolves with how many it sealed. */
export const sealAuditEvents = (db: DataSource, options: SealAuditOptions = {}): Promise<number> => sealAuditLog(db, IDENTITY_AUDIT_LOG, options);

/** The background worker that chains new audit entries, about once a second. */
export const createAuditSealer = (db: DataSource, options: AuditSealerOptions = {}): PeriodicWorker<number> => createChainSealer(db, IDENTITY_AUDIT_LOG, options);
