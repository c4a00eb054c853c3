import { createPeriodicWorker, errors, uuidv7, verifyWebhook, type AccessTokenClaims, type Logger, type ServerMetrics } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Actor, CaseStore } from '../data/case-store';
import type { ProfileRecord, ProfileStore } from '../data/profile-store';
import type { Queryable, Row } from '@meridian/platform';
import { EDITABLE_STATES } from '../domain/case-state';
import { missingRequirements } from '../domain/next-steps';
import type { StoredScreening } from '../domain/screening-record';
import type { CaseRecord } from '../domain/verification-case';
import type { CheckRequest, VerificationProvider } from '../providers/verification-provider';
import type { Screener } from '../screening';
import { applyCheckResult } from './case-decisions';
import type { SanctionsLists } from './sanctions';
import { caseIdFrom } from './verification-service';

const checkResultSchema = z.object({
  type: z.literal('check.completed'),
  data: z.object({
    checkId: z.string().uuid(),
    providerCheckId: z.string().min(1).max(200),
    outcome: z.enum(['CLEAR', 'CONSIDER', 'REJECTED']),
    reports: z
      .array(z.object({ kind: z.enum(['IDENTITY_DATABASE', 'DOCUMENT', 'FACE_MATCH', 'LIVENESS']), outcome: z.enum(['CLEAR', 'CONSIDER', 'REJECTED']), reasons: z.array(z.string().max(64)).max(20) }))
      .min(1)
      .max(10),
    completedAt: z.string().datetime({ offset: true }),
  }),
});

/** What a webhook delivery did. */
export type WebhookOutcome = 'APPLIED' | 'DUPLICATE' | 'STALE' | 'UNKNOWN_CHECK';

/** Options for {@link CaseProcessor}. */
export interface CaseProcessorOptions {
  db: DataSource;
  profiles: ProfileStore;
  cases: CaseStore;
  sanctions: SanctionsLists;
  provider: VerificationProvider;
  /** Secrets provider webhooks are signed with, current first (several while rotating). */
  webhookSecrets: string[];
  logger: Logger;
}

/**
 * Moves cases after the customer submits: screening at once (SUBMITTED), checks
 * at the provider (PROCESSING), then the provider's signed webhook decides —
 * approval only when every check is CLEAR, screening is CLEAR and nothing else
 * needs a look; a fixable problem asks for a resubmission; anything else goes to
 * a person (NEEDS_REVIEW), never to an automatic rejection.
 */
export class CaseProcessor {
  constructor(private readonly options: CaseProcessorOptions) {}

  private get db() {
    return this.options.db;
  }

  /**
   * Submits the customer's case. Screening runs in the same transaction; the
   * provider is called after it commits (and again by the dispatcher until it
   * answers). Submitting a case already under way answers it as it is.
   * Errors: NOT_FOUND, BAD_USER_INPUT (`reason` REQUIREMENTS_MISSING with `missing`), CONFLICT (`reason` CASE_CLOSED).
   */
  async submit(user: AccessTokenClaims, caseIdInput: string): Promise<CaseRecord> {
    const caseId = caseIdFrom(caseIdInput);
    const screener = await this.options.sanctions.screener();
    const submitted = await this.db.transaction(async (m) => {
      const profile = await this.options.profiles.find(m, user.userId, { forUpdate: true });
      const current = await this.options.cases.find(m, caseId, { forUpdate: true });
      if (!current || !profile || current.userId !== user.userId || current.kind !== 'CUSTOMER') throw errors.notFound('Verification case not found.');
      if (current.state === 'APPROVED' || current.state === 'REJECTED') {
        throw errors.conflict(`The case is closed (${current.state}); start a new verification.`, { reason: 'CASE_CLOSED', state: current.state });
      }
      if (!EDITABLE_STATES.includes(current.state)) return { record: current, dispatch: false };
      const documents = await this.options.cases.documentsOf(m, [current.id]);
      const missing = missingRequirements(current.targetTier, profile.data, profile.fields, documents);
      if (missing.length > 0) {
        throw errors.badInput(`The verification is not complete: ${missing.join(', ')}.`, { reason: 'REQUIREMENTS_MISSING', missing });
      }
      const customer: Actor = { type: 'CUSTOMER', id: user.userId };
      const inScreening = await this.options.cases.transition(m, current, 'SUBMITTED', customer, null, { submitted: true, customerMessage: null });
      const screening = this.screenProfile(profile, screener);
      await this.options.profiles.writeScreening(m, profile.userId, screening);
      const reviewReasons = await this.reviewReasons(m, profile, screening);
      const record = await this.options.cases.transition(m, inScreening, 'PROCESSING', { type: 'SYSTEM' }, 'screened; checks sent to the provider', {
        checkId: uuidv7(),
        providerCheckId: null,
        checkResult: null,
        screening,
        reviewReasons,
        pendingDecision: null,
      });
      return { record, dispatch: true };
    });
    if (submitted.dispatch) await this.dispatch(submitted.record.id).catch((err: unknown) => this.logDispatchFailure(submitted.record.id, err));
    return submitted.dispatch ? ((await this.options.cases.find(this.db, caseId)) ?? submitted.record) : submitted.record;
  }

  private screenProfile(profile: ProfileRecord, screener: Screener | undefined): StoredScreening {
    return this.options.sanctions.screen(
      screener,
      { name: profile.data.legalName ?? '', dateOfBirth: profile.data.dateOfBirth, nationality: profile.data.nationality },
      profile.clearedMatches,
    );
  }

  /** Why a case must be looked at by a person, whatever the provider says. */
  private async reviewReasons(q: Queryable, profile: ProfileRecord, screening: StoredScreening): Promise<string[]> {
    const reasons: string[] = [];
    if (screening.outcome === 'POSSIBLE_MATCH') reasons.push('SANCTIONS_POSSIBLE_MATCH');
    if (screening.outcome === 'UNAVAILABLE') reasons.push('SCREENING_UNAVAILABLE');
    if (profile.taxIdIndex && (await this.options.profiles.othersWithTaxId(q, profile.userId, profile.taxIdIndex)).length > 0) {
      reasons.push('DUPLICATE_TAX_ID');
    }
    return reasons;
  }

  private logDispatchFailure(caseId: string, err: unknown) {
    this.options.logger.warn({ err, caseId }, 'verification provider did not take the check; the dispatcher retries');
  }

  /**
   * Sends a PROCESSING case's checks to the provider (idempotent by its check
   * id) and records the provider's id. Does nothing for a case no longer waiting.
   */
  async dispatch(caseId: string): Promise<void> {
    const current = await this.options.cases.find(this.db, caseId);
    if (!current || current.state !== 'PROCESSING' || !current.checkId || current.providerCheckId) return;
    const profile = await this.options.profiles.find(this.db, current.userId);
    if (!profile) return;
    const documents = (await this.options.cases.documentsOf(this.db, [caseId])).filter((d) => !d.deletedAt);
    const { data } = profile;
    const request: CheckRequest = {
      checkId: current.checkId,
      caseId,
      userId: current.userId,
      kinds: current.targetTier === 'TIER_2' ? ['IDENTITY_DATABASE', 'DOCUMENT', 'FACE_MATCH', 'LIVENESS'] : ['IDENTITY_DATABASE'],
      applicant: {
        legalName: data.legalName!,
        dateOfBirth: data.dateOfBirth!,
        nationality: data.nationality,
        address: data.address ? { ...data.address, line2: data.address.line2 ?? undefined } : undefined,
      },
      documents: documents.map((d) => ({ id: d.id, kind: d.kind, contentType: d.contentType, sha256: d.sha256, size: d.size })),
    };
    const { providerCheckId } = await this.options.provider.submit(request);
    await this.db.query(
      `UPDATE kyc.cases SET provider_check_id = $2, check_submitted_at = clock_timestamp()
       WHERE id = $1 AND check_id = $3 AND provider_check_id IS NULL`,
      [caseId, providerCheckId, current.checkId],
    );
  }

  /** Retries the provider for cases whose checks it has not taken yet. */
  createDispatcher(options: { metrics?: ServerMetrics; intervalMs?: number; olderThanMs?: number } = {}) {
    const run = async () => {
      const rows: Row[] = await this.db.query(
        `SELECT id FROM kyc.cases WHERE state = 'PROCESSING' AND provider_check_id IS NULL
         AND updated_at < clock_timestamp() - make_interval(secs => $1) ORDER BY updated_at LIMIT 50`,
        [(options.olderThanMs ?? 5_000) / 1000],
      );
      for (const row of rows) await this.dispatch(row.id as string).catch((err: unknown) => this.logDispatchFailure(row.id as string, err));
      return rows.length;
    };
    return createPeriodicWorker({ name: 'kyc-check-dispatcher', run, intervalMs: options.intervalMs ?? 5_000, logger: this.options.logger, metrics: options.metrics });
  }

  /**
   * A provider webhook: verified (Standard Webhooks, 5-minute tolerance), then
   * applied once — a repeated `webhook-id` is recorded as a duplicate and
   * changes nothing; a result for a case no longer waiting is ignored.
   * Errors: UNAUTHENTICATED (`reason` WEBHOOK_…), BAD_USER_INPUT (`reason` WEBHOOK_BODY_INVALID).
   */
  async handleWebhook(headers: Record<string, string | string[] | undefined>, rawBody: string | Buffer): Promise<WebhookOutcome> {
    const verified = verifyWebhook(this.options.webhookSecrets, headers, rawBody);
    const parsed = checkResultSchema.safeParse(verified.payload);
    if (!parsed.success) {
      throw errors.badInput('The webhook body is not a check result.', { reason: 'WEBHOOK_BODY_INVALID', issues: parsed.error.issues.slice(0, 5).map((i) => i.path.join('.')) });
    }
    const result = parsed.data.data;
    const outcome = await this.db.transaction(async (m): Promise<WebhookOutcome> => {
      const inserted: Row[] = await m.query(
        `INSERT INTO kyc.provider_webhooks (webhook_id, check_id) VALUES ($1, $2) ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`,
        [verified.id, result.checkId],
      );
      if (inserted.length === 0) return 'DUPLICATE';
      const found = await this.options.cases.findByCheckId(m, result.checkId);
      if (!found) return 'UNKNOWN_CHECK';
      // Lock order everywhere: the profile, then the case.
      await this.options.profiles.find(m, found.userId, { forUpdate: true });
      const current = await this.options.cases.find(m, found.id, { forUpdate: true });
      if (!current || current.state !== 'PROCESSING' || current.checkId !== result.checkId) return 'STALE';
      await applyCheckResult(m, this.options, current, {
        providerCheckId: result.providerCheckId,
        outcome: result.outcome,
        reports: result.reports,
        completedAt: result.completedAt,
      });
      return 'APPLIED';
    });
    this.options.logger.info({ webhookId: verified.id, checkId: result.checkId, outcome: result.outcome, handled: outcome }, 'provider webhook');
    return outcome;
  }

  /**
   * Re-screens one customer (profile row locked by `q`) against `screener`.
   * A new possible match, not cleared before, goes to a person: onto the
   * customer's open case if there is one, else a re-screening case in review
   * for a customer who holds a tier.
   */
  async rescreen(q: Queryable, userId: string, screener: Screener): Promise<void> {
    const profile = await this.options.profiles.find(q, userId);
    if (!profile?.data.legalName) return;
    const screening = this.screenProfile(profile, screener);
    await this.options.profiles.writeScreening(q, userId, screening);
    if (screening.outcome !== 'POSSIBLE_MATCH') return;
    const reason = `re-screened against list ${screening.listVersion?.slice(0, 12)}`;
    const open = await this.options.cases.openOf(q, userId, { forUpdate: true });
    if (open) {
      const reviewReasons = open.reviewReasons.includes('SANCTIONS_POSSIBLE_MATCH') ? open.reviewReasons : [...open.reviewReasons, 'SANCTIONS_POSSIBLE_MATCH'];
      await this.options.cases.amend(q, open, { type: 'SYSTEM' }, reason, { screening, reviewReasons });
      return;
    }
    if (profile.tier === 'TIER_0' || (await this.options.cases.openOf(q, userId, { kind: 'RESCREEN' }))) return;
    const opened = await this.options.cases.insert(q, { userId, targetTier: profile.tier, kind: 'RESCREEN', state: 'SUBMITTED' }, { type: 'SYSTEM' }, reason);
    await this.options.cases.transition(q, opened, 'NEEDS_REVIEW', { type: 'SYSTEM' }, 'SANCTIONS_POSSIBLE_MATCH', {
      screening,
      reviewReasons: ['SANCTIONS_POSSIBLE_MATCH'],
    });
  }
}
