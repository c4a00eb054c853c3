/**
 * A verification provider that runs in-process, for development and tests.
 * It answers like a real one: `submit` returns at once, and after `delayMs`
 * the result arrives as a signed Standard Webhooks POST through `deliver`.
 *
 * Results depend only on the request and the date, after Onfido's sandbox.
 * For each requested kind, the first rule that applies decides:
 * 1. FACE_MATCH or LIVENESS without a SELFIE document → REJECTED, SELFIE_MISSING;
 *    DOCUMENT without a PASSPORT, NATIONAL_ID or DRIVING_LICENCE → REJECTED, DOCUMENT_MISSING.
 * 2. Legal name whose last word is `Reject` (any case) → REJECTED with
 *    RECORD_NOT_FOUND (IDENTITY_DATABASE), DOCUMENT_TAMPERED (DOCUMENT),
 *    FACE_MISMATCH (FACE_MATCH) or SPOOF_DETECTED (LIVENESS).
 * 3. Otherwise CONSIDER with every reason that applies, else CLEAR:
 *    - last word `Consider` (any case) → DATA_MISMATCH (IDENTITY_DATABASE, DOCUMENT),
 *      FACE_MISMATCH (FACE_MATCH) or IMAGE_UNREADABLE (LIVENESS);
 *    - IDENTITY_DATABASE with a date of birth less than 18 years before today (UTC) → UNDERAGE.
 *
 * The provider's id is `sim_` and the SHA-256 of the `checkId`. While a check
 * is scheduled or being delivered, submitting its `checkId` again returns the
 * same id and runs nothing more; once delivered, the provider keeps nothing,
 * and the same request runs and is delivered again.
 */
import { createHash } from 'node:crypto';
import { createWebhookSender, DomainError, ErrorCode, uuidv7, type DeliverWebhook } from '@meridian/platform';
import { checkRequestFingerprint, parseCheckRequest } from './check-request';
import {
  IDENTITY_DOCUMENT_KINDS,
  worstOutcome,
  type CheckKind,
  type CheckReport,
  type CheckRequest,
  type CheckResult,
  type ProviderWebhookPayload,
  type VerificationProvider,
} from './verification-provider';

/** Options for {@link createSimulatedProvider}. */
export interface SimulatedProviderOptions {
  /** Signs every webhook (`whsec_…`). */
  secret: string;
  /** Sends one webhook; a 2xx status is delivered, any other status or a throw is retried. */
  deliver: DeliverWebhook;
  /** Milliseconds from `submit` to the first delivery attempt. Default 200. */
  delayMs?: number;
  /** Told of each failed attempt and of a delivery given up. Default: nothing is logged. */
  logger?: { warn(obj: object, msg: string): void };
  /** Delivery attempts in all, and the wait before the first retry, doubled for each later one and stretched by a random 1–2×. Default 5 attempts, 1000 ms. */
  retry?: { attempts: number; baseMs: number };
  /** The clock for `completedAt`, webhook timestamps and ages. Default: the system clock. */
  now?: () => Date;
}

/** The simulated provider, with what servers and tests need to shut it down. */
export interface SimulatedProvider extends VerificationProvider {
  /** Cancels every check not yet being delivered and waits for the deliveries under way. */
  stop(): Promise<void>;
  /** Checks scheduled or being delivered. */
  pending(): number;
}

const REJECT_REASON: Record<CheckKind, string> = {
  IDENTITY_DATABASE: 'RECORD_NOT_FOUND',
  DOCUMENT: 'DOCUMENT_TAMPERED',
  FACE_MATCH: 'FACE_MISMATCH',
  LIVENESS: 'SPOOF_DETECTED',
};

const CONSIDER_REASON: Record<CheckKind, string> = {
  IDENTITY_DATABASE: 'DATA_MISMATCH',
  DOCUMENT: 'DATA_MISMATCH',
  FACE_MATCH: 'FACE_MISMATCH',
  LIVENESS: 'IMAGE_UNREADABLE',
};

/** The simulated provider's id for a check: `sim_` and the hex SHA-256 of our `checkId`. */
export function simulatedCheckId(checkId: string): string {
  return `sim_${createHash('sha256').update(checkId).digest('hex')}`;
}

/** True when the person born on `dateOfBirth` (YYYY-MM-DD) has not turned 18 on `today` (UTC). */
function isUnder18(dateOfBirth: string, today: Date): boolean {
  const [year, month, day] = dateOfBirth.split('-').map(Number);
  // Compared as YYYYMMDD numbers: someone born on 29 February turns 18 on 1 March in other years.
  const eighteenth = (year + 18) * 10_000 + month * 100 + day;
  const now = today.getUTCFullYear() * 10_000 + (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  return now < eighteenth;
}

/** The evidence a kind needs that the request lacks, as a reason. */
function missingEvidence(kind: CheckKind, request: CheckRequest): string | undefined {
  const has = (kinds: readonly string[]) => request.documents.some((document) => kinds.includes(document.kind));
  if ((kind === 'FACE_MATCH' || kind === 'LIVENESS') && !has(['SELFIE'])) return 'SELFIE_MISSING';
  if (kind === 'DOCUMENT' && !has(IDENTITY_DOCUMENT_KINDS)) return 'DOCUMENT_MISSING';
  return undefined;
}

/** The report for one kind, by the rules in this file's header. */
function simulateReport(kind: CheckKind, request: CheckRequest, today: Date): CheckReport {
  const missing = missingEvidence(kind, request);
  if (missing) return { kind, outcome: 'REJECTED', reasons: [missing] };
  const lastWord = request.applicant.legalName.trim().split(/\s+/).at(-1)?.toLowerCase();
  if (lastWord === 'reject') return { kind, outcome: 'REJECTED', reasons: [REJECT_REASON[kind]] };
  const reasons: string[] = [];
  if (lastWord === 'consider') reasons.push(CONSIDER_REASON[kind]);
  if (kind === 'IDENTITY_DATABASE' && isUnder18(request.applicant.dateOfBirth, today)) reasons.push('UNDERAGE');
  return { kind, outcome: reasons.length > 0 ? 'CONSIDER' : 'CLEAR', reasons };
}

/** The result the simulated provider reports for a valid request, completed at `completedAt`. */
export function simulateCheckResult(request: CheckRequest, completedAt: Date): CheckResult {
  const reports = request.kinds.map((kind) => simulateReport(kind, request, completedAt));
  return {
    checkId: request.checkId,
    providerCheckId: simulatedCheckId(request.checkId),
    outcome: worstOutcome(reports.map((report) => report.outcome)),
    reports,
    completedAt: completedAt.toISOString(),
  };
}

/**
 * A provider named `simulated` that computes results by the rules above and
 * delivers each as a `check.completed` webhook through the platform's
 * webhook sender (retried with backoff under one `webhook-id`).
 */
export function createSimulatedProvider(options: SimulatedProviderOptions): SimulatedProvider {
  const delayMs = options.delayMs ?? 200;
  const now = options.now ?? (() => new Date());
  const sender = createWebhookSender({ secret: options.secret, deliver: options.deliver, retry: options.retry, logger: options.logger, now });
  /** The fingerprint of each check scheduled or being delivered, by checkId. */
  const inFlight = new Map<string, string>();
  let stopped = false;

  return {
    name: 'simulated',

    /**
     * Errors: BAD_USER_INPUT (reason CHECK_REQUEST_INVALID); IDEMPOTENCY_KEY_REUSED
     * when a pending `checkId` comes with other content; SERVICE_UNAVAILABLE
     * (reason PROVIDER_STOPPED) after `stop()`.
     */
    async submit(input) {
      if (stopped) {
        throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The verification provider is stopped.', { reason: 'PROVIDER_STOPPED' });
      }
      const request = parseCheckRequest(input, now());
      const fingerprint = checkRequestFingerprint(request);
      const existing = inFlight.get(request.checkId);
      if (existing !== undefined && existing !== fingerprint) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This checkId was already submitted with other content.', {
          reason: 'CHECK_ID_REUSED',
        });
      }
      const providerCheckId = simulatedCheckId(request.checkId);
      if (existing !== undefined) return { providerCheckId };
      inFlight.set(request.checkId, fingerprint);
      sender.schedule({
        // A new message each run: once delivered, the same checkId runs and is delivered again.
        id: `msg_${uuidv7()}`,
        // Written when the delay is over, so the result is completed then.
        body: () => JSON.stringify({ type: 'check.completed', data: simulateCheckResult(request, now()) } satisfies ProviderWebhookPayload),
        delayMs,
        context: { checkId: request.checkId, providerCheckId },
        onSettled: () => inFlight.delete(request.checkId),
      });
      return { providerCheckId };
    },

    async stop() {
      stopped = true;
      await sender.stop();
    },

    pending: () => sender.pending(),
  };
}
