import { isMeridianError, newIdempotencyKey, type MeridianErrorCode } from '@meridian/client';
import { useRef } from 'react';

/** Failures after which nobody knows whether the server acted (or it asks for a retry): the same attempt keeps its key. */
const UNCERTAIN: MeridianErrorCode[] = ['NETWORK_ERROR', 'BAD_RESPONSE', 'SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR'];

/** The idempotency keys of a form that moves money. */
export interface IdempotentAttempt {
  /**
   * The key for sending `request` (anything that identifies what is asked, e.g.
   * the input without its key): the previous key when this is a retry of the
   * same request after a failure that left the outcome unknown, else a new
   * one from `newIdempotencyKey()`.
   */
  keyFor(request: unknown): string;
  /** Records how the last send ended; after a definite answer the next send is a new attempt. */
  settled(error?: unknown): void;
}

/**
 * One idempotency key per attempt: a retry of the same request after a
 * network failure or SERVICE_UNAVAILABLE reuses it, so the server acts at most
 * once and answers the retry with the first result; a changed request, a
 * success or a definite refusal starts a new attempt with a new key.
 */
export function useIdempotentAttempt(): IdempotentAttempt {
  const last = useRef<{ request: string; key: string; retryable: boolean }>(undefined);
  return {
    keyFor(request) {
      const fingerprint = JSON.stringify(request);
      if (last.current && last.current.request === fingerprint && last.current.retryable) return last.current.key;
      last.current = { request: fingerprint, key: newIdempotencyKey(), retryable: false };
      return last.current.key;
    },
    settled(error) {
      if (last.current) last.current.retryable = error !== undefined && isMeridianError(error, ...UNCERTAIN);
    },
  };
}
