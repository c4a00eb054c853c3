import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  errors,
  hasScope,
  staffReason,
  type AccessTokenClaims,
  type Logger,
  type ObjectStore,
  type StoredObject,
} from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { AuditLog } from '../data/audit-log';
import type { Actor, CaseStore } from '../data/case-store';
import type { ProfileStore } from '../data/profile-store';
import type { Row } from '@meridian/platform';
import { profileView, shownFields, type ProfileView } from '../domain/profile-view';
import type { Tier } from '../domain/tier';
import type { CaseRecord, Decision, DocumentRecord } from '../domain/verification-case';
import { approveCase } from './case-decisions';
import { changeTier } from './tier-changes';
import { caseIdFrom, idOrNotFound } from './verification-service';

/** Whether the user reviews KYC (scope `kyc:review`: compliance officers and administrators). */
export const isKycReviewer = (user: AccessTokenClaims) => hasScope(user, 'kyc:review');

/** A page of the review queue. */
export interface QueuePage {
  cases: { cursor: string; node: CaseRecord }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Why a reviewer reads, and the request the read came in: every staff read is audited with both. */
export interface ReadContext {
  /** Required of a reviewer reading a customer's data (3 to 500 characters); a customer reading their own gives none. */
  reason?: string | null;
  requestId: string;
}

/** The subject of a case as staff see it. */
export interface SubjectView {
  userId: string;
  tier: Tier;
  profile: ProfileView;
}

const encodeCursor = (c: CaseRecord) => encodeKeysetCursor(c.updatedAt, c.id);

/**
 * The staff side of KYC, for reviewers (`kyc:review`; which fields need it is
 * declared on the schema and enforced before these run): the queue, cases,
 * personal data (masked unless revealed), documents and decisions. Every staff
 * read of the queue, a case, personal data or a document needs a reason and
 * writes an audit row with it before anything is answered; every decision
 * writes one with its reason.
 */
export class ReviewService {
  constructor(
    private readonly db: DataSource,
    private readonly profiles: ProfileStore,
    private readonly cases: CaseStore,
    private readonly audit: AuditLog,
    private readonly objects: ObjectStore,
    private readonly logger: Logger,
  ) {}

  /** Cases in review, longest waiting first. Errors: BAD_USER_INPUT (`reason`, `first`, a bad cursor). */
  async queue(viewer: AccessTokenClaims, first: number, after: string | null | undefined, read: ReadContext): Promise<QueuePage> {
    const reason = staffReason(read.reason);
    if (!Number.isInteger(first) || first < 1 || first > 100) throw errors.badInput('first must be 1 to 100.', { field: 'first' });
    const from = after ? decodeKeysetCursor(after) : undefined;
    const rows: Row[] = await this.db.query(
      `SELECT id FROM kyc.cases WHERE state = 'NEEDS_REVIEW' ${from ? 'AND (updated_at, id) > ($2, $3)' : ''}
       ORDER BY updated_at, id LIMIT $1`,
      from ? [first + 1, from.at, from.id] : [first + 1],
    );
    const ids = rows.map((r) => r.id as string);
    const byId = new Map((await this.cases.findMany(this.db, ids)).map((c) => [c.id, c]));
    const page = ids.slice(0, first).map((id) => byId.get(id)!);
    await this.audit.record(this.db, { actor: viewer, action: 'REVIEW_QUEUE_READ', reason, requestId: read.requestId, details: { caseIds: page.map((c) => c.id) } });
    return { cases: page.map((node) => ({ cursor: encodeCursor(node), node })), hasNextPage: ids.length > first, hasPreviousPage: Boolean(after) };
  }

  /**
   * A case: the customer's own (not re-screening reviews, which they are not
   * told of), or any for a reviewer, audited with the reason given.
   * Errors: BAD_USER_INPUT (a reviewer without a `reason`), NOT_FOUND.
   */
  async caseFor(viewer: AccessTokenClaims, id: string, read: ReadContext): Promise<CaseRecord> {
    const reason = isKycReviewer(viewer) ? staffReason(read.reason) : null;
    const found = await this.cases.find(this.db, caseIdFrom(id));
    if (found && reason !== null) {
      await this.audit.record(this.db, { actor: viewer, action: 'CASE_READ', reason, requestId: read.requestId, subjectUserId: found.userId, caseId: found.id });
      return found;
    }
    if (!found || found.userId !== viewer.userId || found.kind !== 'CUSTOMER') throw errors.notFound('Verification case not found.');
    return found;
  }

  /**
   * The customer behind a case with their personal data, for a reviewer:
   * masked, or unmasked when asked. Audited with the reason and the fields
   * shown. Errors: BAD_USER_INPUT (`reason`).
   */
  async subject(viewer: AccessTokenClaims, kycCase: CaseRecord, reveal: boolean, read: ReadContext): Promise<SubjectView> {
    const reason = staffReason(read.reason);
    const profile = await this.profiles.find(this.db, kycCase.userId);
    const data = profile?.data ?? {};
    await this.audit.record(this.db, {
      actor: viewer,
      action: 'PERSONAL_DATA_READ',
      reason,
      requestId: read.requestId,
      subjectUserId: kycCase.userId,
      caseId: kycCase.id,
      fields: shownFields(data),
      revealed: reveal,
    });
    return { userId: kycCase.userId, tier: profile?.tier ?? 'TIER_0', profile: profileView(data, profile?.fields ?? {}, reveal ? 'STAFF_REVEALED' : 'STAFF_MASKED') };
  }

  /**
   * A compliance officer's decision on a case in review. Rejecting a tier 2
   * case takes two officers: the first proposes, a different one confirms.
   * Rejecting a re-screening case (a confirmed sanctions match) takes the
   * customer back to TIER_0. Errors: NOT_FOUND, BAD_USER_INPUT,
   * CONFLICT (`reason` NOT_IN_REVIEW, FOUR_EYES_REQUIRED, NOT_APPLICABLE).
   */
  async decide(officer: AccessTokenClaims, input: { caseId: string; decision: Decision; reason: string }, requestId: string): Promise<CaseRecord> {
    const reason = input.reason.trim();
    if (reason.length < 3 || reason.length > 500) throw errors.badInput('reason must be 3 to 500 characters.', { field: 'reason' });
    const caseId = caseIdFrom(input.caseId);
    const staff: Actor = { type: 'STAFF', id: officer.userId };
    const decided = await this.db.transaction(async (m) => {
      const peek = await this.cases.find(m, caseId);
      if (!peek) throw errors.notFound('Verification case not found.');
      const profile = (await this.profiles.find(m, peek.userId, { forUpdate: true }))!;
      const current = (await this.cases.find(m, caseId, { forUpdate: true }))!;
      if (current.state !== 'NEEDS_REVIEW') {
        throw errors.conflict(`The case is ${current.state}, not in review.`, { reason: 'NOT_IN_REVIEW', state: current.state });
      }
      await this.audit.record(m, { actor: officer, action: 'CASE_DECIDED', reason, requestId, subjectUserId: current.userId, caseId, details: { decision: input.decision } });
      switch (input.decision) {
        case 'APPROVE':
          return approveCase(m, { profiles: this.profiles, cases: this.cases }, current, staff, reason, 'STAFF');
        case 'REQUEST_RESUBMISSION':
          if (current.kind !== 'CUSTOMER') {
            throw errors.conflict('A re-screening review is approved or rejected; the customer has nothing to resubmit.', { reason: 'NOT_APPLICABLE' });
          }
          return this.cases.transition(m, current, 'RESUBMISSION_REQUESTED', staff, reason, { customerMessage: reason, pendingDecision: null });
        case 'REJECT': {
          if (current.targetTier === 'TIER_2') {
            const pending = current.pendingDecision;
            if (!pending || pending.decision !== 'REJECT') {
              return this.cases.amend(m, current, staff, `rejection proposed: ${reason}`, {
                pendingDecision: { decision: 'REJECT', officerId: officer.userId, reason, at: new Date().toISOString() },
              });
            }
            if (pending.officerId === officer.userId) {
              throw errors.conflict('A second compliance officer must confirm this rejection.', { reason: 'FOUR_EYES_REQUIRED' });
            }
          }
          if (current.kind === 'RESCREEN') {
            await changeTier(m, this.profiles, { userId: current.userId, from: profile.tier, to: 'TIER_0', caseId, reason: 'SANCTIONS_CONFIRMED' });
          }
          return this.cases.transition(m, current, 'REJECTED', staff, reason, {
            decided: true,
            // What the customer is told: never the reason, which may concern a sanctions list.
            customerMessage: 'We could not verify your identity. Contact us if you think this is wrong.',
          });
        }
      }
    });
    this.logger.info({ caseId, decision: input.decision, officerId: officer.userId, state: decided.state }, 'KYC case decided');
    return decided;
  }

  /**
   * A document's content for its owner (with `kyc:read`), or for a reviewer
   * (audited with the reason given). Errors: BAD_USER_INPUT (a reviewer
   * without a `reason`), NOT_FOUND (no such document, not theirs, or deleted
   * at the end of retention).
   */
  async document(viewer: AccessTokenClaims, id: string, read: ReadContext): Promise<{ document: DocumentRecord; content: StoredObject }> {
    const reason = isKycReviewer(viewer) ? staffReason(read.reason) : null;
    const document = await this.cases.findDocument(this.db, idOrNotFound(id, 'Document not found.'));
    const allowed = document && ((document.userId === viewer.userId && hasScope(viewer, 'kyc:read')) || isKycReviewer(viewer));
    if (!document || !allowed || document.deletedAt) throw errors.notFound('Document not found.');
    if (reason !== null && document.userId !== viewer.userId) {
      await this.audit.record(this.db, {
        actor: viewer,
        action: 'DOCUMENT_READ',
        reason,
        requestId: read.requestId,
        subjectUserId: document.userId,
        caseId: document.caseId,
        details: { documentId: id },
      });
    }
    const content = await this.objects.get(document.objectKey);
    if (!content) throw errors.notFound('Document not found.');
    return { document, content };
  }
}
