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
import { DomainError, ErrorCode, signWebhook, uuidv7 } from '@meridian/platform';
import pRetry from 'p-retry';
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

/** One webhook POST: the headers to send and the exact body they sign. */
export interface WebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

/** Options for {@link createSimulatedProvider}. */
export interface SimulatedProviderOptions {
  /** Signs every webhook (`whsec_…`). */
  secret: string;
  /** Sends one webhook; a 2xx status is delivered, any other status or a throw is retried. */
  deliver: (request: WebhookDelivery) => Promise<{ status: number }>;
  /** Milliseconds from `submit` to the first delivery attempt. Default 200. */
  delayMs?: number;
  /** Told of each failed attempt and of a delivery given up. Default: nothing is logged. */
  logger?: { warn(obj: object, msg: string): void };
  /** Delivery attempts in all, and the wait before the first retry, doubled for each later one. Default 5 attempts, 1000 ms. */
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

interface Job {
  providerCheckId: string;
  fingerprint: string;
  timer?: ReturnType<typeof setTimeout>;
  settled: Promise<void>;
  settle: () => void;
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A provider named `simulated` that computes results by the rules above and
 * delivers each as a `check.completed` webhook, retried with exponential
 * backoff under one `webhook-id` (each attempt signed with its own timestamp).
 */
export function createSimulatedProvider(options: SimulatedProviderOptions): SimulatedProvider {
  const { secret, deliver, logger } = options;
  const delayMs = options.delayMs ?? 200;
  const { attempts, baseMs } = options.retry ?? { attempts: 5, baseMs: 1000 };
  const now = options.now ?? (() => new Date());
  const jobs = new Map<string, Job>();
  const stopping = new AbortController();

  /** Sends once; any status outside 2xx and any throw become a plain Error, so p-retry retries them all. */
  async function attempt(delivery: WebhookDelivery): Promise<void> {
    let status: number;
    try {
      ({ status } = await deliver(delivery));
    } catch (error) {
      throw new Error(`The webhook could not be sent: ${messageOf(error)}`, { cause: error });
    }
    if (status < 200 || status > 299) throw new Error(`The webhook receiver answered ${status}.`);
  }

  async function deliverResult(request: CheckRequest): Promise<void> {
    const payload: ProviderWebhookPayload = { type: 'check.completed', data: simulateCheckResult(request, now()) };
    const body = JSON.stringify(payload);
    const id = `msg_${uuidv7()}`;
    const context = { checkId: request.checkId, providerCheckId: payload.data.providerCheckId, webhookId: id };
    const send = () => {
      const headers = { 'content-type': 'application/json', ...signWebhook(secret, { id, timestamp: now(), body }) };
      return attempt({ headers, body });
    };
    try {
      await pRetry(send, {
        retries: Math.max(0, attempts - 1),
        minTimeout: baseMs,
        factor: 2,
        signal: stopping.signal,
        // p-retry reports the stop signal as a failure even after a delivered attempt; stopping is not one.
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && !stopping.signal.aborted) logger?.warn({ ...context, attempt: attemptNumber, err: error.message }, 'Webhook delivery failed; retrying');
        },
      });
    } catch (error) {
      if (stopping.signal.aborted) return;
      logger?.warn({ ...context, attempts, err: messageOf(error) }, 'Webhook delivery given up after the last attempt');
    }
  }

  function schedule(request: CheckRequest, job: Job): void {
    job.timer = setTimeout(() => {
      job.timer = undefined;
      void deliverResult(request).finally(() => {
        jobs.delete(request.checkId);
        job.settle();
      });
    }, delayMs);
  }

  function newJob(providerCheckId: string, fingerprint: string): Job {
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    return { providerCheckId, fingerprint, settled, settle };
  }

  return {
    name: 'simulated',

    /**
     * Errors: BAD_USER_INPUT (reason CHECK_REQUEST_INVALID); IDEMPOTENCY_KEY_REUSED
     * when a pending `checkId` comes with other content; SERVICE_UNAVAILABLE
     * (reason PROVIDER_STOPPED) after `stop()`.
     */
    async submit(input) {
      if (stopping.signal.aborted) {
        throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The verification provider is stopped.', { reason: 'PROVIDER_STOPPED' });
      }
      const request = parseCheckRequest(input, now());
      const fingerprint = checkRequestFingerprint(request);
      const existing = jobs.get(request.checkId);
      if (existing && existing.fingerprint !== fingerprint) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This checkId was already submitted with other content.', {
          reason: 'CHECK_ID_REUSED',
        });
      }
      if (existing) return { providerCheckId: existing.providerCheckId };
      const job = newJob(simulatedCheckId(request.checkId), fingerprint);
      jobs.set(request.checkId, job);
      schedule(request, job);
      return { providerCheckId: job.providerCheckId };
    },

    async stop() {
      stopping.abort(new Error('The simulated provider was stopped.'));
      for (const [checkId, job] of jobs) {
        if (job.timer === undefined) continue;
        clearTimeout(job.timer);
        jobs.delete(checkId);
        job.settle();
      }
      await Promise.all([...jobs.values()].map((job) => job.settled));
    },

    pending: () => jobs.size,
  };
}
