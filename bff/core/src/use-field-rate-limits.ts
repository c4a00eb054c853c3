import { createHash } from 'node:crypto';
import { canonicalEmail, type AccessTokenVerifier, type Logger, type RateLimiter, type RateLimitMetrics } from '@meridian/platform';
import { getGraphQLRateLimiter, Store, type Identity } from 'graphql-rate-limit';
import ms from 'ms';
import type { BffContext } from './bff-context';
import type { BffPlugin } from './bff-plugin';
import { failClosed, rateLimited } from './limit-error';
import { collectRootFields } from './operation-fields';
import { callerOf } from './bff-context';
import { seconds } from './use-rate-limits';

/** One limit on a root field, in graphql-rate-limit's terms. */
export interface FieldLimit {
  max: number;
  /** A duration such as `1m`, `15m`, `1h`. */
  window: string;
  /** Arguments that split the count, e.g. `input.email`. */
  identityArgs?: string[];
  /** How an identity argument is keyed, by its path: e.g. an email as identity compares it, hashed. Default as sent. */
  keyOf?: Record<string, (value: unknown) => string>;
  /** `caller` (default): per user, or per address when anonymous. `everyone`: across all callers, e.g. per email. */
  scope?: 'caller' | 'everyone';
}

/**
 * An email as identity compares it ({@link canonicalEmail}), hashed: `Ana@x.com` and ` ana@x.com`
 * share one count, and the shared store never holds the address itself.
 */
export function emailKey(value: unknown): string {
  return createHash('sha256').update(canonicalEmail(String(value ?? ''))).digest('hex');
}

/** A phone number as sent, digits only and hashed: the shared store never holds the number. */
export function phoneKey(value: unknown): string {
  return createHash('sha256').update(String(value ?? '').replace(/[^\d+]/g, '')).digest('hex');
}

/** Limits on the fields that guard credentials, money and identity checks. */
export const SENSITIVE_FIELD_LIMITS: Record<string, FieldLimit[]> = {
  login: [
    { max: 5, window: '1m' },
    { max: 20, window: '15m', identityArgs: ['input.email'], keyOf: { 'input.email': emailKey }, scope: 'everyone' },
  ],
  register: [{ max: 5, window: '1h' }],
  // Account recovery: links are 256-bit tokens, codes are void after 5 wrong tries in identity; these
  // keep scripts from mailing people (per address and per email across callers) and from guessing.
  requestPasswordReset: [
    { max: 5, window: '1h' },
    { max: 3, window: '1h', identityArgs: ['email'], keyOf: { email: emailKey }, scope: 'everyone' },
  ],
  resetPassword: [{ max: 10, window: '15m' }],
  resetPasswordWithCode: [
    { max: 10, window: '15m' },
    { max: 10, window: '1h', identityArgs: ['email'], keyOf: { email: emailKey }, scope: 'everyone' },
  ],
  verifyEmail: [{ max: 10, window: '15m' }],
  // Each one sends an email: per user.
  resendEmailVerification: [{ max: 3, window: '1h' }],
  changeEmail: [{ max: 5, window: '1h' }],
  changePassword: [{ max: 5, window: '15m' }],
  // Second factors: identity refuses a sign-in after 5 wrong codes and a user after 5 within 15 minutes;
  // these keep scripts from spraying codes across sign-ins and from sending mail and SMS (which cost money).
  completeSignIn: [{ max: 10, window: '1m' }],
  sendSignInCode: [{ max: 5, window: '15m' }],
  stepUp: [{ max: 10, window: '15m' }],
  requestStepUpCode: [{ max: 5, window: '15m' }],
  enrolTotp: [{ max: 10, window: '1h' }],
  confirmTotp: [{ max: 10, window: '15m' }],
  regenerateRecoveryCodes: [{ max: 5, window: '1h' }],
  disableTotp: [{ max: 5, window: '1h' }],
  // A new credential each: few an hour serve any customer's scripts. Revoking only ever takes access away.
  createApiKey: [{ max: 10, window: '1h' }],
  revokeApiKey: [{ max: 30, window: '1m' }],
  refreshSession: [{ max: 30, window: '1m' }],
  logout: [{ max: 30, window: '1m' }],
  unlockSignIn: [{ max: 30, window: '1m' }],
  // Staff management and locks (staff only, by scope): each ends sessions or changes who may do what.
  createStaff: [{ max: 20, window: '1h' }],
  setRoles: [{ max: 30, window: '1h' }],
  lockUser: [{ max: 30, window: '1m' }],
  unlockUser: [{ max: 30, window: '1m' }],
  openAccount: [{ max: 10, window: '1h' }],
  closeAccount: [{ max: 10, window: '1h' }],
  transferBetweenOwnAccounts: [{ max: 30, window: '1m' }],
  // Each code is an SMS that costs money: per user, and per number across all users (SMS pumping).
  requestPhoneCode: [
    { max: 5, window: '1h' },
    { max: 5, window: '1h', identityArgs: ['phone'], keyOf: { phone: phoneKey }, scope: 'everyone' },
  ],
  verifyPhoneCode: [{ max: 10, window: '15m' }],
  startVerification: [{ max: 20, window: '1h' }],
  updateKycProfile: [{ max: 30, window: '1h' }],
  uploadKycDocument: [{ max: 30, window: '1h' }],
  submitVerification: [{ max: 10, window: '1h' }],
  decideKycCase: [{ max: 120, window: '1m' }],
  // Money to other people: generous for a person, tight for a script; the limits by KYC tier sit behind these.
  createPayment: [{ max: 30, window: '1m' }, { max: 300, window: '1h' }],
  confirmPayment: [{ max: 30, window: '1m' }, { max: 300, window: '1h' }],
  cancelPayment: [{ max: 30, window: '1m' }],
  refundPayment: [{ max: 20, window: '1m' }],
  decidePayment: [{ max: 120, window: '1m' }],
  createScheduledPayment: [{ max: 20, window: '1h' }],
  cancelScheduledPayment: [{ max: 30, window: '1m' }],
  // New destinations are how stolen sessions cash out: few an hour.
  createPayee: [{ max: 10, window: '1h' }],
  createBiller: [{ max: 10, window: '1h' }],
  // Each card is checked at the provider: card testing is throttled per user.
  addCard: [{ max: 5, window: '1h' }],
  // Insights moves no money. A rule made or deleted (or a category applied to a merchant) decides
  // the customer's matching past transactions again: generous for a person tidying categories,
  // a ceiling on the rewrites a script could ask for.
  createCategoryRule: [{ max: 30, window: '1m' }],
  deleteCategoryRule: [{ max: 30, window: '1m' }],
  recategorizeTransaction: [{ max: 30, window: '1m' }],
  // Budgets, goals and alerts are a row each.
  setBudget: [{ max: 60, window: '1m' }],
  deleteBudget: [{ max: 60, window: '1m' }],
  createGoal: [{ max: 60, window: '1m' }],
  updateGoal: [{ max: 60, window: '1m' }],
  deleteGoal: [{ max: 60, window: '1m' }],
  markAlertsRead: [{ max: 60, window: '1m' }],
};

/** Options for {@link useFieldRateLimits}. */
export interface FieldRateLimitsOptions {
  limiter: RateLimiter;
  /** Verifies a bearer token so limits follow the user, not the address. */
  verifyAccessToken?: AccessTokenVerifier;
  limits: Record<string, FieldLimit[]>;
  logger: Logger;
  /** Counts refusals as limit `field:<name>`. */
  metrics?: RateLimitMetrics;
}

/**
 * graphql-rate-limit's store, made atomic: reading records the call in the
 * same Redis call (so the library runs with `readOnly`), and the times it saw
 * are kept to compute Retry-After.
 */
class RecordingStore extends Store {
  readonly seen = new Map<string, number[]>();
  constructor(
    private readonly limiter: RateLimiter,
    private readonly keepMs: number,
  ) {
    super();
  }
  async getForIdentity(identity: Identity): Promise<readonly number[]> {
    const key = `field:${identity.contextIdentity}:${identity.fieldIdentity}`;
    const times = await this.limiter.recordCall(key, Date.now(), this.keepMs);
    this.seen.set(key, times);
    return times;
  }
  setForIdentity(): void {
    // Recorded in getForIdentity already.
  }
}

/**
 * Per-field limits on credential and money operations, declared per field and
 * counted atomically: of 50 concurrent logins against a limit of 5, exactly 5
 * go through. Refusals are RATE_LIMITED (429, Retry-After); if the shared store
 * is unreachable these operations fail closed with SERVICE_UNAVAILABLE.
 */
export function useFieldRateLimits(options: FieldRateLimitsOptions): BffPlugin {
  const longest = Math.max(...Object.values(options.limits).flat().map((l) => ms(l.window as ms.StringValue)));
  return {
    name: 'field-rate-limits',
    async guard(request) {
      // Every root field as it executes: aliases count one by one, fragments and @include are looked through.
      for (const field of collectRootFields(request)) {
        const limits = options.limits[field.name];
        if (!limits) continue;
        for (const limit of limits) {
          await enforce(options, request.contextValue, field.name, field.args, limit, longest);
        }
      }
    },
  };
}

/** The arguments with each identity argument replaced by its key, so one person or address is one count. */
function keyedArgs(args: Record<string, unknown>, limit: FieldLimit): Record<string, unknown> {
  if (!limit.keyOf) return args;
  const copy = structuredClone(args) as Record<string, unknown>;
  for (const [path, keyOf] of Object.entries(limit.keyOf)) {
    const parts = path.split('.');
    let holder: Record<string, unknown> | undefined = copy;
    for (const part of parts.slice(0, -1)) holder = holder?.[part] as Record<string, unknown> | undefined;
    if (holder && typeof holder === 'object') holder[parts[parts.length - 1]] = keyOf(holder[parts[parts.length - 1]]);
  }
  return copy;
}

async function enforce(
  options: FieldRateLimitsOptions,
  context: BffContext,
  fieldName: string,
  args: Record<string, unknown>,
  limit: FieldLimit,
  keepMs: number,
): Promise<void> {
  const store = new RecordingStore(options.limiter, keepMs);
  const caller = await callerOf(context, options.verifyAccessToken);
  const limiter = getGraphQLRateLimiter({
    identifyContext: () => (limit.scope === 'everyone' ? 'everyone' : (caller.person ?? caller.key)),
    store,
  });
  let refusal: string | undefined;
  try {
    refusal = await limiter({ parent: undefined, args: keyedArgs(args, limit), context, info: { fieldName } as never }, {
      max: limit.max,
      window: limit.window,
      identityArgs: limit.identityArgs,
      readOnly: true,
    });
  } catch (err) {
    options.logger.warn({ err: (err as Error).message, fieldName }, 'field rate limit store failed; failing closed');
    throw failClosed();
  }
  if (!refusal) return;
  options.metrics?.refused(`field:${fieldName}`);
  const windowMs = ms(limit.window as ms.StringValue);
  const times = [...store.seen.values()][0] ?? [];
  const inWindow = times.filter((t) => t > Date.now() - windowMs);
  // The call that has to leave the window before one more fits.
  const blocking = inWindow[inWindow.length - limit.max] ?? Date.now();
  const retryAfter = seconds(blocking + windowMs - Date.now());
  throw rateLimited(`Too many ${fieldName} attempts: at most ${limit.max} per ${limit.window}. Try again in ${retryAfter} s.`, retryAfter);
}
