import { createHash } from 'node:crypto';
import { DomainError, ErrorCode, errors, isIdempotencyKey, pollUntil, returnedRows, type Queryable } from '@meridian/platform';
import type { DataSource } from 'typeorm';

/** How long a key is remembered: 24 hours, as Stripe does. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** How long a request may hold its key before another request with it may take over (the first one crashed). */
const LEASE_SECONDS = 30;
/** How long a request waits for another one holding the same key to finish. */
const WAIT_MS = 10_000;

/** What was answered under a key: a result, or a domain error. */
type StoredResponse = { ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string; details: Record<string, unknown> };

/** The fingerprint of a request's content: the same content always gives the same one. */
export function requestFingerprint(operation: string, input: unknown): string {
  const canonical = JSON.stringify(input, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
    }
    return value;
  });
  return createHash('sha256').update(`${operation}\u0000${canonical}`).digest('base64url');
}

/** Checks a client's key: 1 to 255 printable characters. Errors: BAD_USER_INPUT. */
export function parseIdempotencyKey(key: string): string {
  if (!isIdempotencyKey(key)) {
    throw errors.badInput('The idempotency key must be 1 to 255 printable characters without spaces.', { field: 'idempotencyKey' });
  }
  return key;
}

/**
 * Idempotency keys as Stripe keeps them: per user, for 24 hours. The first
 * request with a key runs and its answer (a result or a domain error) is
 * stored; a replay with the same content gets that answer; the same key with
 * other content is IDEMPOTENCY_KEY_REUSED; a request arriving while another
 * one with its key runs waits for it and gets its answer. An answer that is
 * not final (SERVICE_UNAVAILABLE, an unexpected failure) is not stored, so a
 * retry runs again; so does one after the first request crashed and its lease
 * ran out. The work itself must therefore be safe to run again: payments'
 * steps are idempotent by ids derived from the payment. It runs outside any
 * transaction of this class, so it may call other services (on the embedded
 * database a transaction held across a call to banking would stall banking).
 */
export class IdempotencyKeys {
  constructor(private readonly db: DataSource) {}

  /** Runs `work` once for (user, key) or answers what it answered. */
  async run<T>(userId: string, key: string, operation: string, fingerprint: string, work: () => Promise<T>): Promise<T> {
    // While another request holds the key, its answer is waited for: the claim is tried again every 50 ms.
    const claim = await pollUntil(async () => {
      const tried = await this.claim(userId, key, operation, fingerprint);
      return tried.kind === 'busy' ? undefined : tried;
    }, { everyMs: 50, forMs: WAIT_MS });
    if (!claim) throw errors.conflict('A request with this idempotency key is still being processed. Retry it shortly.', { reason: 'IDEMPOTENCY_KEY_IN_USE' });
    return claim.kind === 'answered' ? replay<T>(claim.response) : this.execute(userId, key, work);
  }

  /** Forgets keys older than 24 hours; answers how many. */
  async expire(limit = 1_000): Promise<number> {
    const rows = returnedRows(
      await this.db.query(
        `DELETE FROM payments.idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key FROM payments.idempotency_keys WHERE expires_at < now() LIMIT $1) RETURNING key`,
        [limit],
      ),
    );
    return rows.length;
  }

  private async claim(
    userId: string,
    key: string,
    operation: string,
    fingerprint: string,
  ): Promise<{ kind: 'claimed' } | { kind: 'answered'; response: StoredResponse } | { kind: 'busy' }> {
    const inserted = await this.db.query(
      `INSERT INTO payments.idempotency_keys (user_id, key, operation, fingerprint, locked_until, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), now() + make_interval(hours => $6))
       ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
      [userId, key, operation, fingerprint, LEASE_SECONDS, IDEMPOTENCY_TTL_HOURS],
    );
    if (inserted.length > 0) return { kind: 'claimed' };
    const [row] = await this.db.query(
      `SELECT operation, fingerprint, response, locked_until < now() AS lapsed FROM payments.idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    if (!row) return { kind: 'busy' }; // expired and deleted between the two statements: try again
    if (row.operation !== operation || row.fingerprint !== fingerprint) {
      throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was already used for a different request.', { field: 'idempotencyKey' });
    }
    if (row.response) return { kind: 'answered', response: row.response as StoredResponse };
    if (!row.lapsed) return { kind: 'busy' };
    // The request holding it stopped without an answer: take it over (one taker wins).
    const taken = returnedRows(
      await this.db.query(
        `UPDATE payments.idempotency_keys SET locked_until = now() + make_interval(secs => $3)
         WHERE user_id = $1 AND key = $2 AND response IS NULL AND locked_until < now() RETURNING key`,
        [userId, key, LEASE_SECONDS],
      ),
    );
    return taken.length > 0 ? { kind: 'claimed' } : { kind: 'busy' };
  }

  private async execute<T>(userId: string, key: string, work: () => Promise<T>): Promise<T> {
    try {
      const value = await work();
      await store(this.db, userId, key, { ok: true, value: serialise(value) });
      return value;
    } catch (err) {
      if (err instanceof DomainError && isFinal(err)) {
        await store(this.db, userId, key, { ok: false, code: err.code, message: err.message, details: detailsOf(err) });
      } else {
        // Not an answer: let the next request with this key run.
        await this.db.query(`DELETE FROM payments.idempotency_keys WHERE user_id = $1 AND key = $2 AND response IS NULL`, [userId, key]);
      }
      throw err;
    }
  }
}

/**
 * Errors that are the request's answer; SERVICE_UNAVAILABLE and RATE_LIMITED say "try again" instead, and
 * STEP_UP_REQUIRED "try again once you have stepped up", with the same key.
 */
function isFinal(err: DomainError): boolean {
  return (
    err.code !== ErrorCode.SERVICE_UNAVAILABLE &&
    err.code !== ErrorCode.RATE_LIMITED &&
    err.code !== ErrorCode.STEP_UP_REQUIRED &&
    err.code !== ErrorCode.INTERNAL_SERVER_ERROR
  );
}

function detailsOf(err: DomainError): Record<string, unknown> {
  const { code: _code, ...details } = err.extensions as Record<string, unknown>;
  return details;
}

async function store(q: Queryable, userId: string, key: string, response: StoredResponse): Promise<void> {
  await q.query(`UPDATE payments.idempotency_keys SET response = $3, locked_until = now() WHERE user_id = $1 AND key = $2`, [
    userId,
    key,
    JSON.stringify(response),
  ]);
}

// Answers are JSON: bigints become strings tagged so they come back as bigints.
function serialise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v)));
}

function revive(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => {
    if (v && typeof v === 'object' && '$bigint' in v) return BigInt((v as { $bigint: string }).$bigint);
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) return new Date(v);
    return v;
  });
}

function replay<T>(response: StoredResponse): T {
  if (response.ok) return revive(response.value) as T;
  throw new DomainError(response.code, response.message, response.details);
}
