import { DomainError, ErrorCode, errors, isUniqueViolation, mapPostgresError, sqlState, type PostgresMeanings } from '@meridian/platform';
import pRetry from 'p-retry';

// When a batch is tried again, and what PostgreSQL's refusal of one command means to its caller.

/** Tries of a batch refused by serialization failures or deadlocks (its retries run on what they lock). */
const MAX_ATTEMPTS = 6;
/** A batch stopped by the lock or statement timeout is tried once more. */
const TIMEOUT_RETRIES = 1;

/**
 * Retries on serialization failures and deadlocks, which PostgreSQL asks the
 * client to retry, and on a transfer id taken by a transaction that committed
 * while this one ran (the retry finds it and compares fingerprints). A batch
 * that waited too long for a lock or ran past the statement timeout (another
 * session holding a row) wrote nothing and is retried once; then its callers
 * get SERVICE_UNAVAILABLE and may retry with the same ids.
 */
export function retryBatch<T>(run: (attemptNumber: number) => Promise<T>): Promise<T> {
  let timeouts = 0;
  return pRetry(run, {
    retries: MAX_ATTEMPTS - 1 + TIMEOUT_RETRIES,
    // A short, jittered pause, so batches that deadlocked or raced do not meet again at once.
    minTimeout: 1,
    maxTimeout: 50,
    randomize: true,
    shouldRetry: ({ error, attemptNumber }) => {
      if (isTimeout(error)) return ++timeouts <= TIMEOUT_RETRIES;
      const state = sqlState(error);
      const retryable = state === '40001' || state === '40P01' || isUniqueViolation(error, 'transfers_pkey');
      return retryable && attemptNumber - timeouts < MAX_ATTEMPTS;
    },
  });
}

/** The lock timeout (55P03) or the statement timeout (57014): the statement was stopped, nothing of it written. */
function isTimeout(err: unknown): boolean {
  const state = sqlState(err);
  return state === '55P03' || state === '57014';
}

/** An error PostgreSQL raised over the data of the statement (classes 22 and 23), before anything was committed. */
export function isDataRefusal(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/** What banking's constraints mean to a caller whose command PostgreSQL refused. */
const LEDGER_MEANINGS: PostgresMeanings = {
  constraints: {
    transfers_one_resolution: () => errors.conflict('This pending transfer was already posted or voided by another request.'),
    accounts_no_overdraw: () => new DomainError(ErrorCode.INSUFFICIENT_FUNDS, 'The account does not have enough available funds.'),
  },
  states: {
    '22003': () => errors.badInput('The amount would take a balance beyond the 64-bit range.', { field: 'amount' }),
    '55P03': () => errors.unavailable('The ledger is busy and wrote nothing for this request. Retry it with the same id.'),
    '57014': () => errors.unavailable('The ledger is busy and wrote nothing for this request. Retry it with the same id.'),
  },
};

/** The domain error a database refusal of a single command stands for, or the error itself. */
export function refusalOf(err: unknown): unknown {
  return mapPostgresError(err, LEDGER_MEANINGS) ?? err;
}
