import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '../crypto/canonical-json';
import { GENESIS_HASH, hashChainLink } from '../crypto/hash-chain';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../server/metrics';
import { createPeriodicWorker, type PeriodicWorker } from '../workers/periodic-worker';

// Audit logs are chained after the fact: a service only inserts its entries
// (no lock, so concurrent requests never wait on each other), and one sealer
// at a time gives the committed, unsealed entries the next seq, prev_hash and
// hash, in id order. Each table's trigger lets that one change through, once
// per entry, and nothing else.

/** An audit entry as it is read for chaining and verifying. */
export type AuditChainRow = Record<string, unknown>;

/**
 * A hash-chained, append-only audit table, as the service that writes it
 * declares it. The table has `id`, `seq`, `prev_hash` and `hash` columns, the
 * time column, and a trigger that refuses every change but the sealing of an
 * unsealed entry.
 */
export interface ChainedAuditLog {
  /** Schema-qualified table, e.g. `identity.audit_events`: the log's name in reports and its sealers' lock. */
  table: string;
  /** The service whose sealer chains it, named in reports, e.g. `identity`. */
  service: string;
  /** The SQL type of the `id` column. */
  idType: 'bigint' | 'uuid';
  /** The timestamptz column saying when the entry was written. */
  timeColumn: string;
  /** The other columns the hash covers, as a SELECT list. */
  contentColumns: string;
  /**
   * What an entry's hash covers after its predecessor's hash, as canonical
   * JSON. `row` holds `id`, the time column (as text to the microsecond, UTC)
   * and the content columns.
   */
  content(row: AuditChainRow, seq: bigint): unknown;
}

/**
 * The SELECT list of an entry for chaining: id, the chain columns, the time as
 * text to the microsecond in UTC (so the hash covers every digit stored
 * whatever the session's time zone) and the content columns.
 */
export function auditChainColumns(log: ChainedAuditLog): string {
  return `id, seq, prev_hash, hash,
  to_char(${log.timeColumn} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${log.timeColumn},
  ${log.contentColumns}`;
}

/** The hash of an entry at `seq` after `previousHash`: SHA-256 over the previous hash and the canonical JSON of its content. */
export function auditEntryHash(log: ChainedAuditLog, previousHash: string, seq: bigint, row: AuditChainRow): string {
  return hashChainLink(previousHash, canonicalJson(log.content(row, seq)));
}

/** One sealer at a time across every process: they take turns on this advisory lock. */
const sealerLock = (log: ChainedAuditLog) => `hashtext('${log.table}')`;

/**
 * Chains up to `batchSize` committed, unsealed entries after the current head,
 * inside `m`'s transaction. Returns how many it sealed: 0 when none wait or
 * another sealer holds the turn.
 */
export async function sealAuditBatch(m: EntityManager, log: ChainedAuditLog, batchSize: number): Promise<number> {
  const [{ turn }] = (await m.query(`SELECT pg_try_advisory_xact_lock(${sealerLock(log)}) AS turn`)) as { turn: boolean }[];
  if (!turn) return 0;
  const rows = (await m.query(`SELECT ${auditChainColumns(log)} FROM ${log.table} WHERE seq IS NULL ORDER BY id LIMIT $1`, [batchSize])) as AuditChainRow[];
  if (rows.length === 0) return 0;
  const [head] = (await m.query(`SELECT seq, hash FROM ${log.table} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`)) as { seq: string; hash: string }[];
  let seq = head ? BigInt(head.seq) : 0n;
  let previous = head ? head.hash : GENESIS_HASH;
  const ids: string[] = [];
  const seqs: string[] = [];
  const prevHashes: string[] = [];
  const hashes: string[] = [];
  for (const row of rows) {
    seq += 1n;
    const hash = auditEntryHash(log, previous, seq, row);
    ids.push(String(row.id));
    seqs.push(seq.toString());
    prevHashes.push(previous);
    hashes.push(hash);
    previous = hash;
  }
  await m.query(
    `UPDATE ${log.table} e SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash
     FROM unnest($1::${log.idType}[], $2::bigint[], $3::text[], $4::text[]) AS s (id, seq, prev_hash, hash)
     WHERE e.id = s.id`,
    [ids, seqs, prevHashes, hashes],
  );
  return rows.length;
}

/** Options for {@link sealAuditLog}. */
export interface SealAuditOptions {
  /** Entries chained per transaction; default 1,000. */
  batchSize?: number;
  /** Transactions per call, so one call cannot run forever; default 50. */
  maxBatches?: number;
}

/** Chains every unsealed entry of `log` committed so far (up to `maxBatches` batches); resolves with how many it sealed. */
export async function sealAuditLog(db: DataSource, log: ChainedAuditLog, options: SealAuditOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 1_000;
  const maxBatches = options.maxBatches ?? 50;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const sealed = await db.transaction((m) => sealAuditBatch(m, log, batchSize));
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
  metrics?: Pick<ServerMetrics, 'workerRuns' | 'workerDuration'>;
}

/** The background worker that chains a service's new audit entries, about once a second; replicas take turns. */
export function createAuditSealer(db: DataSource, log: ChainedAuditLog, options: AuditSealerOptions = {}): PeriodicWorker<number> {
  return createPeriodicWorker({
    name: 'audit-sealer',
    run: () => sealAuditLog(db, log),
    intervalMs: options.intervalMs ?? 1_000,
    logger: options.logger,
    metrics: options.metrics,
  });
}

/**
 * The trigger function body of a chained audit table: no UPDATE, DELETE or
 * TRUNCATE, but one: giving an unsealed entry its place in the chain, once,
 * with every other column (today's and any added later) unchanged.
 */
export function appendOnlyAuditTriggerBody(table: string): string {
  return `
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
             AND to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' = to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION '${table} is append-only' USING ERRCODE = '42501';
      END`;
}
