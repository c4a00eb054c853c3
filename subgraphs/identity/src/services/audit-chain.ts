import { canonicalJson, createPeriodicWorker, GENESIS_HASH, hashChainLink, type Logger, type PeriodicWorker, type ServerMetrics } from '@meridian/platform';
import type { DataSource, EntityManager } from 'typeorm';

// identity.audit_events is chained after the fact: recordAuditEvent only inserts
// (no lock, so concurrent sign-ins never wait on each other), and one sealer at
// a time gives the committed, unsealed entries the next seq, prev_hash and hash,
// in id order. The trigger lets that one change through, once per entry, and
// nothing else.

/** An audit entry as it is read for chaining and verifying. */
export type AuditChainRow = Record<string, unknown>;

/**
 * The columns a chain hash covers, plus the chain columns. occurred_at is read
 * as text to the microsecond in UTC, so the hash covers every digit stored
 * whatever the session's time zone.
 */
export const AUDIT_CHAIN_COLUMNS = `id, seq, prev_hash, hash,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
  type, user_id, ip, user_agent, request_id, details`;

/** One sealer at a time across every identity process: they take turns on this advisory lock. */
const SEALER_LOCK = `hashtext('identity.audit_events')`;

/**
 * The hash of an entry at `seq` after `previousHash`: SHA-256 over the previous
 * hash and the canonical JSON of the entry's id, seq, time, type, user, IP,
 * user agent, request id and details.
 */
export function auditEntryHash(previousHash: string, seq: bigint, row: AuditChainRow): string {
  return hashChainLink(
    previousHash,
    canonicalJson({
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
  );
}

/**
 * Chains up to `batchSize` committed, unsealed entries after the current head,
 * inside `m`'s transaction. Returns how many it sealed: 0 when none wait or
 * another sealer holds the turn.
 */
export async function sealAuditBatch(m: EntityManager, batchSize: number): Promise<number> {
  const [{ turn }] = (await m.query(`SELECT pg_try_advisory_xact_lock(${SEALER_LOCK}) AS turn`)) as { turn: boolean }[];
  if (!turn) return 0;
  const rows = (await m.query(`SELECT ${AUDIT_CHAIN_COLUMNS} FROM identity.audit_events WHERE seq IS NULL ORDER BY id LIMIT $1`, [
    batchSize,
  ])) as AuditChainRow[];
  if (rows.length === 0) return 0;
  const [head] = (await m.query(`SELECT seq, hash FROM identity.audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`)) as {
    seq: string;
    hash: string;
  }[];
  let seq = head ? BigInt(head.seq) : 0n;
  let previous = head ? head.hash : GENESIS_HASH;
  const ids: string[] = [];
  const seqs: string[] = [];
  const prevHashes: string[] = [];
  const hashes: string[] = [];
  for (const row of rows) {
    seq += 1n;
    const hash = auditEntryHash(previous, seq, row);
    ids.push(String(row.id));
    seqs.push(seq.toString());
    prevHashes.push(previous);
    hashes.push(hash);
    previous = hash;
  }
  await m.query(
    `UPDATE identity.audit_events e SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash
     FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS s (id, seq, prev_hash, hash)
     WHERE e.id = s.id`,
    [ids, seqs, prevHashes, hashes],
  );
  return rows.length;
}

/** Options for {@link sealAuditEvents}. */
export interface SealAuditOptions {
  /** Entries chained per transaction; default 1,000. */
  batchSize?: number;
  /** Transactions per call, so one call cannot run forever; default 50. */
  maxBatches?: number;
}

/** Chains every unsealed entry committed so far (up to `maxBatches` batches); resolves with how many it sealed. */
export async function sealAuditEvents(db: DataSource, options: SealAuditOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 1_000;
  const maxBatches = options.maxBatches ?? 50;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const sealed = await db.transaction((m) => sealAuditBatch(m, batchSize));
    total += sealed;
    if (sealed < batchSize) break;
  }
  return total;
}

/** Options for {@link createAuditSealer}. */
export interface AuditSealerOptions {
  /** Pause between passes, in ms; default 1,000. */
  intervalMs?: number;
  logger?: Logger;
  /** The server's metrics, for the worker's runs. */
  metrics?: ServerMetrics;
}

/** The background worker that chains new audit entries, about once a second. */
export function createAuditSealer(db: DataSource, options: AuditSealerOptions = {}): PeriodicWorker<number> {
  return createPeriodicWorker({
    name: 'audit-sealer',
    run: () => sealAuditEvents(db),
    intervalMs: options.intervalMs ?? 1_000,
    logger: options.logger,
    metrics: options.metrics,
  });
}
