import { uuidv7 } from '@meridian/platform';
import type { ActorType, CaseState } from '../domain/case-state';
import { assertTransition } from '../domain/case-state';
import type { CaseEventRecord, CaseRecord, DocumentRecord } from '../domain/verification-case';
import { returnedRows, toDate, toDateOrNull, type Queryable, type Row } from '@meridian/platform';

/** Who moved a case, and why. */
export interface Actor {
  type: ActorType;
  id?: string | null;
}

/** Columns a transition may change besides the state. */
export type CasePatch = Partial<
  Pick<CaseRecord, 'checkId' | 'providerCheckId' | 'checkResult' | 'screening' | 'reviewReasons' | 'pendingDecision' | 'customerMessage'>
> & { submitted?: boolean; decided?: boolean; checkSubmitted?: boolean };

function toCase(row: Row): CaseRecord {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    targetTier: row.target_tier as CaseRecord['targetTier'],
    kind: row.kind as CaseRecord['kind'],
    state: row.state as CaseState,
    checkId: (row.check_id as string | null) ?? null,
    providerCheckId: (row.provider_check_id as string | null) ?? null,
    checkSubmittedAt: toDateOrNull(row.check_submitted_at),
    checkResult: (row.check_result as CaseRecord['checkResult']) ?? null,
    screening: (row.screening as CaseRecord['screening']) ?? null,
    reviewReasons: (row.review_reasons as string[]) ?? [],
    pendingDecision: (row.pending_decision as CaseRecord['pendingDecision']) ?? null,
    customerMessage: (row.customer_message as string | null) ?? null,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    submittedAt: toDateOrNull(row.submitted_at),
    decidedAt: toDateOrNull(row.decided_at),
  };
}

function toDocument(row: Row): DocumentRecord {
  return {
    id: row.id as string,
    caseId: row.case_id as string,
    userId: row.user_id as string,
    kind: row.kind as DocumentRecord['kind'],
    uploadId: row.upload_id as string,
    objectKey: row.object_key as string,
    contentType: row.content_type as string,
    size: Number(row.size),
    sha256: row.sha256 as string,
    uploadedAt: toDate(row.created_at),
    deletedAt: toDateOrNull(row.deleted_at),
  };
}

/** Reads and writes `kyc.cases`, their history and their documents. */
export class CaseStore {
  /** A case by id; `forUpdate` locks it for the caller's transaction. */
  async find(q: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<CaseRecord | undefined> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.cases WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  /** Cases by id, in any order. */
  async findMany(q: Queryable, ids: readonly string[]): Promise<CaseRecord[]> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.cases WHERE id = ANY($1::uuid[])`, [ids]);
    return rows.map(toCase);
  }

  /** The case found by the id the provider echoes back. */
  async findByCheckId(q: Queryable, checkId: string, options: { forUpdate?: boolean } = {}): Promise<CaseRecord | undefined> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.cases WHERE check_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [checkId]);
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  /** The customer's newest case of their own (not a re-screening review). */
  async latestCustomerCaseOf(q: Queryable, userId: string): Promise<CaseRecord | undefined> {
    const rows: Row[] = await q.query(
      `SELECT * FROM kyc.cases WHERE user_id = $1 AND kind = 'CUSTOMER' ORDER BY created_at DESC, id DESC LIMIT 1`,
      [userId],
    );
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  /** The customer's open case of `kind` (not approved or rejected), if any. */
  async openOf(q: Queryable, userId: string, options: { forUpdate?: boolean; kind?: CaseRecord['kind'] } = {}): Promise<CaseRecord | undefined> {
    const rows: Row[] = await q.query(
      `SELECT * FROM kyc.cases WHERE user_id = $1 AND kind = $2 AND state NOT IN ('APPROVED', 'REJECTED')${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [userId, options.kind ?? 'CUSTOMER'],
    );
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  /** Opens a case in `state` and records its first event. */
  async insert(
    q: Queryable,
    values: { userId: string; targetTier: CaseRecord['targetTier']; kind?: CaseRecord['kind']; state: CaseState },
    actor: Actor,
    reason?: string,
  ): Promise<CaseRecord> {
    const id = uuidv7();
    const rows: Row[] = await q.query(
      `INSERT INTO kyc.cases (id, user_id, target_tier, kind, state) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [id, values.userId, values.targetTier, values.kind ?? 'CUSTOMER', values.state],
    );
    await this.recordEvent(q, id, null, values.state, actor, reason);
    return toCase(rows[0]);
  }

  /**
   * Moves a locked case to `to` (only a legal transition; CONFLICT otherwise),
   * with the patch, and records the transition. Returns the case as written.
   */
  async transition(q: Queryable, current: CaseRecord, to: CaseState, actor: Actor, reason?: string | null, patch: CasePatch = {}): Promise<CaseRecord> {
    assertTransition(current.state, to);
    return this.update(q, current, to, actor, reason, patch);
  }

  /** Changes the case's columns without a transition (a proposed rejection); the event still records it. */
  async amend(q: Queryable, current: CaseRecord, actor: Actor, reason: string, patch: CasePatch): Promise<CaseRecord> {
    return this.update(q, current, current.state, actor, reason, patch);
  }

  private async update(q: Queryable, current: CaseRecord, to: CaseState, actor: Actor, reason: string | null | undefined, patch: CasePatch) {
    const sets = ['state = $2', 'updated_at = clock_timestamp()'];
    const params: unknown[] = [current.id, to];
    const put = (column: string, value: unknown, cast = '') => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (patch.checkId !== undefined) put('check_id', patch.checkId);
    if (patch.providerCheckId !== undefined) put('provider_check_id', patch.providerCheckId);
    if (patch.checkResult !== undefined) put('check_result', JSON.stringify(patch.checkResult), '::jsonb');
    if (patch.screening !== undefined) put('screening', JSON.stringify(patch.screening), '::jsonb');
    if (patch.reviewReasons !== undefined) put('review_reasons', JSON.stringify(patch.reviewReasons), '::jsonb');
    if (patch.pendingDecision !== undefined) put('pending_decision', JSON.stringify(patch.pendingDecision), '::jsonb');
    if (patch.customerMessage !== undefined) put('customer_message', patch.customerMessage);
    if (patch.submitted) sets.push('submitted_at = clock_timestamp()');
    if (patch.decided) sets.push('decided_at = clock_timestamp()');
    if (patch.checkSubmitted) sets.push('check_submitted_at = clock_timestamp()');
    const rows = returnedRows(await q.query(`UPDATE kyc.cases SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params));
    await this.recordEvent(q, current.id, current.state, to, actor, reason);
    return toCase(rows[0]);
  }

  private async recordEvent(q: Queryable, caseId: string, from: CaseState | null, to: CaseState, actor: Actor, reason?: string | null) {
    await q.query(`INSERT INTO kyc.case_events (case_id, from_state, to_state, actor_type, actor_id, reason) VALUES ($1, $2, $3, $4, $5, $6)`, [
      caseId,
      from,
      to,
      actor.type,
      actor.id ?? null,
      reason ?? null,
    ]);
  }

  /** The transitions of the given cases, oldest first. */
  async eventsOf(q: Queryable, caseIds: readonly string[]): Promise<CaseEventRecord[]> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.case_events WHERE case_id = ANY($1::uuid[]) ORDER BY seq`, [caseIds]);
    return rows.map((row) => ({
      caseId: row.case_id as string,
      from: (row.from_state as CaseState | null) ?? null,
      to: row.to_state as CaseState,
      actorType: row.actor_type as ActorType,
      actorId: (row.actor_id as string | null) ?? null,
      reason: (row.reason as string | null) ?? null,
      at: toDate(row.at),
    }));
  }

  /** The documents of the given cases, oldest first. */
  async documentsOf(q: Queryable, caseIds: readonly string[]): Promise<DocumentRecord[]> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.documents WHERE case_id = ANY($1::uuid[]) ORDER BY created_at, id`, [caseIds]);
    return rows.map(toDocument);
  }

  /** A document by id. */
  async findDocument(q: Queryable, id: string): Promise<DocumentRecord | undefined> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.documents WHERE id = $1`, [id]);
    return rows[0] ? toDocument(rows[0]) : undefined;
  }

  /** The document an upload became, if it was attached. */
  async documentByUpload(q: Queryable, uploadId: string): Promise<DocumentRecord | undefined> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.documents WHERE upload_id = $1`, [uploadId]);
    return rows[0] ? toDocument(rows[0]) : undefined;
  }

  /** Records an attached document. */
  async insertDocument(q: Queryable, doc: Omit<DocumentRecord, 'uploadedAt' | 'deletedAt'>): Promise<DocumentRecord> {
    const rows: Row[] = await q.query(
      `INSERT INTO kyc.documents (id, case_id, user_id, kind, upload_id, object_key, content_type, size, sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [doc.id, doc.caseId, doc.userId, doc.kind, doc.uploadId, doc.objectKey, doc.contentType, doc.size, doc.sha256],
    );
    return toDocument(rows[0]);
  }
}
