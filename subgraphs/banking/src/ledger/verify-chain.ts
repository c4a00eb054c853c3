import { checkChainLink, type ChainBreakKind } from '@meridian/platform';
import type { EntityManager } from 'typeorm';
import { chainHash, GENESIS_HASH } from './hash-chain';
import type { LedgerVerificationReport } from './verifier';
import { big, MismatchFound, type Row } from './verify-support';

// The verifier's first walk: the hash chain, transfer by transfer in seq order.

/** Walks the transfers in seq order, rebuilding every hash from the transfer and its postings. */
export async function verifyChain(m: EntityManager, report: LedgerVerificationReport, batchSize: number): Promise<void> {
  const [head]: Row[] = await m.query(`SELECT last_seq, last_hash FROM banking.ledger_head WHERE singleton`);
  report.head = { seq: head ? big(head.last_seq) : 0n, hash: head ? (head.last_hash as string) : '' };
  const [unchained]: Row[] = await m.query(`SELECT id FROM banking.transfers WHERE seq IS NULL ORDER BY created_at, id LIMIT 1`);
  if (unchained) {
    throw new MismatchFound({
      kind: 'UNCHAINED_TRANSFER',
      transferId: unchained.id as string,
      field: 'seq',
      expected: 'a chain position',
      found: 'null',
      message: `Transfer ${String(unchained.id)} was committed without a chain position.`,
    });
  }
  await m.query(`DECLARE verify_transfers NO SCROLL CURSOR FOR
    SELECT id, code, description, metadata, caused_by, phase, pending_id, created_at, seq, prev_hash, hash
    FROM banking.transfers ORDER BY seq`);
  let previous = GENESIS_HASH;
  let expectedSeq = 1n;
  for (;;) {
    const rows: Row[] = await m.query(`FETCH ${batchSize} FROM verify_transfers`);
    if (rows.length === 0) break;
    const postingRows: Row[] = await m.query(
      `SELECT transfer_id, id, account_id, direction, amount, currency, pending
       FROM banking.postings WHERE transfer_id = ANY($1::uuid[]) ORDER BY id`,
      [rows.map((r) => r.id)],
    );
    const byTransfer = new Map<string, Row[]>();
    for (const p of postingRows) {
      const list = byTransfer.get(p.transfer_id as string);
      if (list) list.push(p);
      else byTransfer.set(p.transfer_id as string, [p]);
    }
    for (const row of rows) {
      const postings = byTransfer.get(row.id as string) ?? [];
      checkTransfer(row, postings, previous, expectedSeq);
      previous = row.hash as string;
      expectedSeq += 1n;
      report.transfers += 1;
      report.postings += postings.length;
    }
  }
  await m.query(`CLOSE verify_transfers`);
  const lastSeq = expectedSeq - 1n;
  if (report.head.seq !== lastSeq || report.head.hash !== previous) {
    const field = report.head.seq !== lastSeq ? 'last_seq' : 'last_hash';
    throw new MismatchFound({
      kind: 'CHAIN_HEAD',
      seq: lastSeq,
      field,
      expected: field === 'last_seq' ? lastSeq.toString() : previous,
      found: field === 'last_seq' ? report.head.seq.toString() : report.head.hash,
      message: `The chain head says ${field} ${field === 'last_seq' ? report.head.seq : report.head.hash}, the last transfer gives ${field === 'last_seq' ? lastSeq : previous}.`,
    });
  }
}

/** Checks one transfer's chain link, hash and postings; throws the first mismatch. */
function checkTransfer(row: Row, postings: Row[], previous: string, expectedSeq: bigint): void {
  const id = row.id as string;
  const seq = big(row.seq);
  const at = { transferId: id, seq };
  const broken = checkChainLink({ seq, prevHash: row.prev_hash as string, hash: row.hash as string }, { expectedSeq, previousHash: previous }, () =>
    chainHash(previous, {
      seq,
      id,
      code: row.code as string,
      description: row.description as string,
      metadata: (row.metadata as Record<string, unknown>) ?? {},
      causedBy: (row.caused_by as string | null) ?? null,
      phase: row.phase as string,
      pendingId: (row.pending_id as string | null) ?? null,
      createdAt: row.created_at as Date,
      postings: postings.map((p) => ({
        accountId: p.account_id as string,
        direction: p.direction as string,
        amount: big(p.amount),
        currency: p.currency as string,
        pending: p.pending as boolean,
      })),
    }),
  );
  if (broken) {
    const messages: Record<ChainBreakKind, string> = {
      SEQUENCE: `Transfer ${id} has seq ${seq} where ${expectedSeq} comes next: a transfer is missing from the chain.`,
      LINK: `Transfer ${id} (seq ${seq}) does not link to the hash of transfer ${seq - 1n}.`,
      HASH: `Transfer ${id} (seq ${seq}) or one of its postings was changed after it was chained.`,
    };
    throw new MismatchFound({ ...at, ...broken, kind: `CHAIN_${broken.kind}`, message: messages[broken.kind] });
  }
  const phasePending = row.phase === 'PENDING';
  const sums = new Map<string, bigint>();
  for (const p of postings) {
    if (p.pending !== phasePending) {
      throw new MismatchFound({
        ...at,
        kind: 'POSTING',
        postingId: String(p.id),
        accountId: p.account_id as string,
        field: 'pending',
        expected: String(phasePending),
        found: String(p.pending),
        message: `Posting ${String(p.id)} of ${String(row.phase)} transfer ${id} has pending = ${String(p.pending)}.`,
      });
    }
    const signed = p.direction === 'DEBIT' ? -big(p.amount) : big(p.amount);
    sums.set(p.currency as string, (sums.get(p.currency as string) ?? 0n) + signed);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0n) {
      throw new MismatchFound({
        ...at,
        kind: 'UNBALANCED_TRANSFER',
        currency,
        field: 'postings',
        expected: '0',
        found: sum.toString(),
        message: `Transfer ${id} (seq ${seq}) credits ${sum} more than it debits in ${currency}.`,
      });
    }
  }
}

