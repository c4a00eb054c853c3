import type { DataSource, EntityManager } from 'typeorm';
import { GENESIS_HASH, checkChainLink, type ChainBreakKind } from '../crypto/hash-chain';
import { auditChainColumns, auditEntryHash, type AuditChainRow, type ChainedAuditLog } from './audit-chain';

/** What is wrong with an audit chain. */
export type AuditChainBreakKind =
  /** An entry's seq is not the one after its predecessor's: entries were removed (or reordered). */
  | 'SEQ_GAP'
  /** An entry's prev_hash is not its predecessor's hash: entries were removed, inserted or swapped. */
  | 'PREV_HASH_MISMATCH'
  /** An entry's content no longer hashes to its stored hash: it was changed after it was chained. */
  | 'HASH_MISMATCH'
  /** The entry at a recorded position has another hash, or the chain ends before it: history was rewritten or cut off. */
  | 'ANCHOR_MISMATCH'
  /** An entry has waited longer than allowed to be chained: the sealer is not running. */
  | 'UNSEALED_TOO_OLD';

/** The first break found, naming the entry. */
export interface AuditChainBreak {
  kind: AuditChainBreakKind;
  /** The entry's place in the chain, when it has one. */
  seq: bigint | null;
  /** The entry's id, when there is an entry. */
  id: string | null;
  /** The column that disagrees, e.g. `hash`, `prev_hash`, `seq`, `occurred_at`. */
  field: string;
  /** What recomputing the chain gives. */
  expected: string;
  /** What is stored. */
  found: string;
  message: string;
}

/** The outcome of {@link verifyAuditLog}. */
export interface AuditChainReport {
  /** The log verified: its table, e.g. `kyc.audit_log`. */
  log: string;
  ok: boolean;
  /** Chained entries checked. */
  entries: number;
  /** The last chained entry checked (seq 0 and the genesis hash for an empty chain). */
  head: { seq: bigint; hash: string };
  /** Entries not chained yet, and the oldest of them. */
  unsealed: { count: number; oldestId: string | null; oldestAgeSeconds: number | null };
  /** The first break; verification stops there. Null when the chain verifies. */
  broken: AuditChainBreak | null;
  durationMs: number;
}

/** A position and hash recorded from an earlier report, to compare the chain against. */
export interface AuditChainAnchor {
  seq: bigint;
  hash: string;
}

/** Options for {@link verifyAuditLog}. */
export interface VerifyAuditChainOptions {
  /** Entries fetched per round trip; default 2,000. Memory stays within one batch whatever the chain's length. */
  batchSize?: number;
  /** How long an entry may wait to be chained before the chain fails verification, in seconds; default 300. */
  maxUnsealedAgeSeconds?: number;
  /** Heads from earlier reports: each must still be in the chain with the same hash. */
  anchors?: AuditChainAnchor[];
}

class BreakFound extends Error {
  constructor(readonly broken: AuditChainBreak) {
    super(broken.message);
  }
}

const KINDS: Record<ChainBreakKind, AuditChainBreakKind> = { SEQUENCE: 'SEQ_GAP', LINK: 'PREV_HASH_MISMATCH', HASH: 'HASH_MISMATCH' };

/**
 * Walks an audit log's chain in seq order in one read-only snapshot, through
 * a cursor, recomputing every hash; checks the anchors and how long unsealed
 * entries have waited. Reports the first break; throws only for database errors.
 */
export async function verifyAuditLog(db: DataSource, log: ChainedAuditLog, options: VerifyAuditChainOptions = {}): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 2_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
  const started = performance.now();
  const report: AuditChainReport = {
    log: log.table,
    ok: false,
    entries: 0,
    head: { seq: 0n, hash: GENESIS_HASH },
    unsealed: { count: 0, oldestId: null, oldestAgeSeconds: null },
    broken: null,
    durationMs: 0,
  };
  try {
    await db.transaction('REPEATABLE READ', async (m) => {
      await m.query('SET TRANSACTION READ ONLY');
      await walkChain(m, log, report, batchSize, options.anchors ?? []);
      await checkUnsealed(m, log, report, options.maxUnsealedAgeSeconds ?? 300);
    });
    report.ok = true;
  } catch (err) {
    if (!(err instanceof BreakFound)) throw err;
    report.broken = err.broken;
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

async function walkChain(m: EntityManager, log: ChainedAuditLog, report: AuditChainReport, batchSize: number, anchors: AuditChainAnchor[]): Promise<void> {
  const anchored = new Map(anchors.map((a) => [a.seq, a.hash.toLowerCase()]));
  await m.query(`DECLARE verify_audit NO SCROLL CURSOR FOR
    SELECT ${auditChainColumns(log)} FROM ${log.table} WHERE seq IS NOT NULL ORDER BY seq`);
  let previous = GENESIS_HASH;
  let expectedSeq = 1n;
  for (;;) {
    const rows = (await m.query(`FETCH ${batchSize} FROM verify_audit`)) as AuditChainRow[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = BigInt(row.seq as string);
      const id = String(row.id);
      const broken = checkChainLink({ seq, prevHash: row.prev_hash as string, hash: row.hash as string }, { expectedSeq, previousHash: previous }, () =>
        auditEntryHash(log, previous, seq, row),
      );
      if (broken) throw new BreakFound({ ...broken, kind: KINDS[broken.kind], seq, id, message: linkMessage(broken.kind, id, seq, expectedSeq) });
      const anchor = anchored.get(seq);
      if (anchor !== undefined && anchor !== row.hash) {
        throw new BreakFound({
          kind: 'ANCHOR_MISMATCH',
          seq,
          id,
          field: 'hash',
          expected: anchor,
          found: row.hash as string,
          message: `Entry ${id} at seq ${seq} has another hash than was recorded for that position: the chain up to it was rewritten.`,
        });
      }
      previous = row.hash as string;
      expectedSeq += 1n;
      report.entries += 1;
      report.head = { seq, hash: previous };
    }
  }
  await m.query(`CLOSE verify_audit`);
  const beyond = [...anchored.keys()].filter((seq) => seq > report.head.seq).sort((a, b) => (a < b ? -1 : 1));
  if (beyond.length > 0) {
    throw new BreakFound({
      kind: 'ANCHOR_MISMATCH',
      seq: beyond[0],
      id: null,
      field: 'seq',
      expected: `an entry at seq ${beyond[0]}`,
      found: `the chain ends at seq ${report.head.seq}`,
      message: `Seq ${beyond[0]} was recorded, but the chain now ends at seq ${report.head.seq}: entries were removed from its end.`,
    });
  }
}

function linkMessage(kind: ChainBreakKind, id: string, seq: bigint, expectedSeq: bigint): string {
  switch (kind) {
    case 'SEQUENCE':
      return seq > expectedSeq
        ? `Entry ${id} has seq ${seq} where ${expectedSeq} comes next: ${seq - expectedSeq} entr${seq - expectedSeq === 1n ? 'y is' : 'ies are'} missing from the chain.`
        : `Entry ${id} has seq ${seq} where ${expectedSeq} comes next: the chain is out of order.`;
    case 'LINK':
      return `Entry ${id} (seq ${seq}) does not link to the hash of the entry before it: an entry was removed, inserted or moved.`;
    default:
      return `Entry ${id} (seq ${seq}) was changed after it was chained: its content no longer hashes to its stored hash.`;
  }
}

async function checkUnsealed(m: EntityManager, log: ChainedAuditLog, report: AuditChainReport, maxAgeSeconds: number): Promise<void> {
  const [{ count }] = (await m.query(`SELECT count(*)::int AS count FROM ${log.table} WHERE seq IS NULL`)) as { count: number }[];
  report.unsealed.count = count;
  if (count === 0) return;
  const [oldest] = (await m.query(
    `SELECT id, extract(epoch FROM now() - ${log.timeColumn})::float8 AS age
     FROM ${log.table} WHERE seq IS NULL ORDER BY ${log.timeColumn}, id LIMIT 1`,
  )) as { id: string; age: number }[];
  const age = Math.max(0, Math.floor(oldest.age));
  report.unsealed.oldestId = String(oldest.id);
  report.unsealed.oldestAgeSeconds = age;
  if (age > maxAgeSeconds) {
    throw new BreakFound({
      kind: 'UNSEALED_TOO_OLD',
      seq: null,
      id: String(oldest.id),
      field: log.timeColumn,
      expected: `chained within ${maxAgeSeconds} s`,
      found: `waiting for ${age} s`,
      message: `Entry ${String(oldest.id)} has waited ${age} s to be chained (${count} waiting): is ${log.service}'s audit sealer running?`,
    });
  }
}
