// The customers of the payments benchmark: recipients registered with identity, payers with a
// funded GBP account each and KYC tier 2 in payments' projection, and the access tokens a
// sign-in would give them. Made through the services themselves (identity, banking and
// payments built in this process, as test/helpers/stack.ts builds them, not listening), then
// closed before any server process starts.
import { createBankingServer, loadBankingConfig, type PostingInput } from '@meridian/banking';
import { createIdentityServer, loadIdentityConfig, scopesFor } from '@meridian/identity';
import { createPaymentsServer, loadPaymentsConfig } from '@meridian/payments';
import { createKeySet, issueAccessToken, loadBaseConfig, uuidv7 } from '@meridian/platform';
import { roleEnv, sharedEnv, type StackSettings } from './payments-stack';

/**
 * Payments per payer in the whole run. Payments' velocity rule holds a payer's 11th payment
 * within an hour for review, so ten is the most a payer makes; the load spreads over payers.
 */
export const PAYMENTS_PER_PAYER = 10;
export const CURRENCY = 'GBP';
/** What each payer starts with: 1,000.00, far more than ten small payments. */
const FUNDING = 1_000_00n;
/** Postings per funding deposit: one debit of the clearing account and this many less one credits (the ledger takes 64). */
const POSTINGS_PER_DEPOSIT = 64;
const PASSWORD = 'a long and unusual benchmark passphrase';
const ORIGIN = { ip: '127.0.0.1', userAgent: 'meridian-bench', requestId: 'bench-payments' };

/** A customer of the run, with the GBP current account they pay from or into. */
export interface BenchCustomer {
  userId: string;
  email: string;
  accountId: string;
}

export interface PaymentsFixtures {
  payers: BenchCustomer[];
  recipients: BenchCustomer[];
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Copies a registered customer as `count` more customers with their own id, email and name,
 * in a few statements: registering thousands would hash a password (Argon2id, about 20 ms of
 * CPU) for each. Every column not named keeps the registered customer's value, whatever
 * columns identity adds later. The copies never sign in (see {@link accessTokens}).
 */
export async function copyCustomer(identity: Awaited<ReturnType<typeof createIdentityServer>>, templateId: string, count: number, emailOf: (i: number) => string) {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const chunk = Array.from({ length: Math.min(1_000, count - start) }, (_, i) => start + i);
    const chunkIds = chunk.map(() => uuidv7());
    await identity.dataSource.query(
      `INSERT INTO identity.users
       SELECT copy.* FROM identity.users template
       CROSS JOIN unnest($2::uuid[], $3::text[], $4::text[]) AS c (id, email, display_name)
       CROSS JOIN LATERAL jsonb_populate_record(template, jsonb_build_object('id', c.id, 'email', c.email, 'display_name', c.display_name)) AS copy
       WHERE template.id = $1`,
      [templateId, chunkIds, chunk.map(emailOf), chunk.map((i) => `Bench Payer ${i}`)],
    );
    ids.push(...chunkIds);
  }
  return ids;
}

/** Makes the run's customers; `progress` hears what is done. */
export async function createFixtures(settings: StackSettings, counts: { payers: number; recipients: number }, progress: (line: string) => void): Promise<PaymentsFixtures> {
  const env = { ...sharedEnv(settings), LOG_LEVEL: 'error', MIGRATE_ON_START: 'true', LEDGER_WORKERS: 'false', PAYMENTS_WORKERS: 'false' };
  const databaseUrl = settings.databaseUrl;
  const identity = await createIdentityServer(loadIdentityConfig({ ...env, ...roleEnv('identity', settings, {}) }), { databaseUrl });
  const banking = await createBankingServer(loadBankingConfig({ ...env, ...roleEnv('banking', settings, {}) }), { databaseUrl });
  const payments = await createPaymentsServer(loadPaymentsConfig({ ...env, ...roleEnv('payments', settings, {}) }), { databaseUrl });
  try {
    const started = performance.now();
    const recipientIds: string[] = new Array(counts.recipients);
    const recipientEmail = (i: number) => `bench.recipient.${i}@example.com`;
    await inPool([...Array(counts.recipients).keys()], 2, async (i) => {
      recipientIds[i] = (await identity.accounts.register({ email: recipientEmail(i), password: PASSWORD, displayName: `Bench Recipient ${i}` }, ORIGIN)).id;
    });
    const payerEmail = (i: number) => `bench.payer.${i}@example.com`;
    const template = await identity.accounts.register({ email: payerEmail(0), password: PASSWORD, displayName: 'Bench Payer 0' }, ORIGIN);
    const payerIds = [template.id, ...(await copyCustomer(identity, template.id, counts.payers - 1, (i) => payerEmail(i + 1)))];
    progress(`registered ${counts.recipients} recipients and ${payerIds.length} payers`);

    const accountOf = new Map<string, string>();
    await inPool([...recipientIds, ...payerIds], 8, async (ownerId) => {
      accountOf.set(ownerId, (await banking.accounts.openAccount({ ownerId, type: 'CURRENT', currency: CURRENCY })).id);
    });
    const clearing = await banking.accounts.systemAccount('CLEARING', CURRENCY);
    const credits = POSTINGS_PER_DEPOSIT - 1;
    for (let i = 0; i < payerIds.length; i += credits) {
      const chunk = payerIds.slice(i, i + credits);
      await banking.ledger.createTransfer({
        id: uuidv7(),
        code: 'DEPOSIT',
        description: 'Benchmark funding',
        postings: [
          { accountId: clearing.id, direction: 'DEBIT', amount: FUNDING * BigInt(chunk.length), currency: CURRENCY },
          ...chunk.map((id): PostingInput => ({ accountId: accountOf.get(id)!, direction: 'CREDIT', amount: FUNDING, currency: CURRENCY })),
        ],
      });
    }
    progress(`opened ${accountOf.size} GBP accounts and funded the payers`);

    // Tier 2 through payments' own projection, as a `kyc.tier.changed` event would set it; nothing else is raised.
    await inPool(payerIds, 8, async (userId) => void (await payments.tiers.apply(payments.dataSource, userId, 'TIER_2', new Date())));
    progress(`projected TIER_2 for the payers in ${Math.round((performance.now() - started) / 100) / 10} s`);
    const customer = (emailOf: (i: number) => string) => (userId: string, i: number): BenchCustomer => ({ userId, email: emailOf(i), accountId: accountOf.get(userId)! });
    return { payers: payerIds.map(customer(payerEmail)), recipients: recipientIds.map(customer(recipientEmail)) };
  } finally {
    await payments.close();
    await banking.close();
    await identity.close();
  }
}

/**
 * Access tokens for `userIds` as identity issues them at sign-in (its key, issuer, audience,
 * a customer's roles and the scopes a sign-in grants them, its lifetime), signed here so that
 * thousands of customers need no password check each. The servers verify them against
 * identity's published JWKS.
 */
export async function accessTokens(settings: StackSettings, userIds: readonly string[]): Promise<Map<string, string>> {
  const keys = await createKeySet((JSON.parse(settings.keys.IDENTITY_SIGNING_KEYS) as { keys: Parameters<typeof createKeySet>[0] }).keys);
  const config = loadBaseConfig(sharedEnv(settings));
  const ttlSeconds = loadIdentityConfig(sharedEnv(settings)).ACCESS_TOKEN_TTL_SECONDS;
  const tokens = new Map<string, string>();
  for (const userId of userIds) {
    const { token } = await issueAccessToken(
      keys,
      { issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE },
      { userId, sessionId: uuidv7(), roles: ['CUSTOMER'], scopes: scopesFor(['CUSTOMER']), ttlSeconds },
    );
    tokens.set(userId, token);
  }
  return tokens;
}
