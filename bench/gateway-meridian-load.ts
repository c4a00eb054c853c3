// What the Meridian gateway benchmark sends: the mobile app's home screen, three trusted
// documents from schema/operations/mobile sent by id as @meridian/client sends them (`Accounts`:
// the accounts with their balances; `CategorizedTransactions`: the current account's 20 latest
// transactions with insights' category and merchant; `SpendingByCategory`: this month's spending),
// each with the customer's own token and device id. A reference pass asks each customer's screen
// once, checks it against what the fixtures wrote, and keeps the answers; under load every
// answer must be exactly that customer's.
import { documentIdOf } from '@meridian/client';
import { AccountsDocument, CategorizedTransactionsDocument, SpendingByCategoryDocument } from '@meridian/client/mobile';
import { formatDecimal } from '@meridian/platform';
import autocannon from 'autocannon';
import type { DashboardCustomer } from './gateway-meridian-fixtures';
import { isCorrect } from './gateway-load';
import { percentile, round } from './ledger-report';

/** The operations of the home screen, in the order the app sends them. */
export const OPERATIONS = ['Accounts', 'CategorizedTransactions', 'SpendingByCategory'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A customer's requests: the body of each operation and the headers they all carry. */
export interface ScreenRequests {
  headers: Record<string, string>;
  bodies: Record<Operation, string>;
}

/** The home screen's requests for `customer` on the local day `today` (YYYY-MM-DD). */
export function screenRequests(customer: DashboardCustomer, token: string, today: string): ScreenRequests {
  const body = (document: Parameters<typeof documentIdOf>[0], variables: Record<string, unknown>) => JSON.stringify({ documentId: documentIdOf(document), variables });
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${token}`,
      'x-device-id': `bench-${customer.userId.slice(-12)}`,
    },
    bodies: {
      Accounts: body(AccountsDocument, {}),
      CategorizedTransactions: body(CategorizedTransactionsDocument, { accountId: customer.accounts.current.id, first: 20 }),
      SpendingByCategory: body(SpendingByCategoryDocument, { period: { from: `${today.slice(0, 8)}01`, to: today }, currency: 'GBP' }),
    },
  };
}

// any: an answer's shape is what is being checked, field by field, below.
type Json = Record<string, any>;

/** What is wrong with `data` as `operation`'s answer for `customer`, or null when it is right. */
export function checkAnswer(operation: Operation, data: Json | undefined, customer: DashboardCustomer): string | null {
  const me = data?.me;
  switch (operation) {
    case 'Accounts': {
      if (me?.id !== customer.userId) return `me.id is ${me?.id}`;
      const accounts = (me.accounts ?? []) as Json[];
      const own = Object.values(customer.accounts);
      if (accounts.length !== own.length || own.some((a) => !accounts.some((x) => x.id === a.id))) return `accounts ${accounts.map((a) => a.id).join(', ')}`;
      for (const a of own) {
        const shown = accounts.find((x) => x.id === a.id)!.balance?.posted;
        const expected = formatDecimal(customer.balances.get(a.id)!, a.currency);
        if (shown?.amount !== expected || shown?.currency !== a.currency) return `account ${a.id} shows ${JSON.stringify(shown)}, not ${expected} ${a.currency}`;
      }
      return null;
    }
    case 'CategorizedTransactions': {
      const account = data?.account;
      const { id } = customer.accounts.current;
      if (account?.id !== id) return `account.id is ${account?.id}`;
      const shown = ((account.transactions?.edges ?? []) as Json[]).map((e) => e.node);
      const latest = customer.transfers.get(id)!.slice(-20).reverse();
      if (shown.map((n) => n.transferId).join() !== latest.join()) return `transactions ${shown.map((n) => n.transferId).join(', ')}, not the 20 latest`;
      const wrong = shown.find((n) => n.accountId !== id || !n.category?.id);
      return wrong ? `transaction ${wrong.transferId} of ${wrong.accountId} has category ${JSON.stringify(wrong.category)}` : null;
    }
    case 'SpendingByCategory': {
      const spending = me?.insights?.spendingByCategory;
      if (me?.id !== customer.userId || !spending) return `me.id is ${me?.id}, spending ${JSON.stringify(spending)}`;
      const sum = (spending.categories as Json[]).reduce((s, c) => s + BigInt(String(c.amount.amount).replace('.', '')), 0n);
      return sum === BigInt(String(spending.total.amount).replace('.', '')) ? null : `categories add up to ${sum}, total ${spending.total.amount}`;
    }
  }
}

/**
 * Asks every customer's screen once, one request at a time, and checks each answer; returns
 * the answers' data as JSON text by customer and operation, or throws with the first wrong one.
 * `around(operation, run)` wraps each operation's requests (the caller reads counters around it).
 */
export async function referencePass(
  url: string,
  customers: readonly DashboardCustomer[],
  requests: readonly ScreenRequests[],
  around: (operation: Operation, run: () => Promise<void>) => Promise<void>,
): Promise<Record<Operation, string>[]> {
  const answers = customers.map(() => ({}) as Record<Operation, string>);
  for (const operation of OPERATIONS) {
    await around(operation, async () => {
      for (const [i, customer] of customers.entries()) {
        const response = await fetch(url, { method: 'POST', headers: requests[i].headers, body: requests[i].bodies[operation] });
        const text = await response.text();
        const parsed = JSON.parse(text) as { data?: Json; errors?: unknown[] };
        const wrong = response.status !== 200 || parsed.errors ? `HTTP ${response.status}: ${text.slice(0, 400)}` : checkAnswer(operation, parsed.data, customer);
        if (wrong) throw new Error(`${operation} for customer ${i} (${customer.userId}) is wrong: ${wrong}`);
        answers[i][operation] = JSON.stringify(parsed.data);
      }
    });
  }
  return answers;
}

/** What one load window saw. */
export interface ScreenLoadOutcome {
  /** Answers that were exactly the customer's; wrong ones (other data, errors, a status other than 200); requests that got none. */
  ok: number;
  wrong: number;
  failed: number;
  /** Requests sent, those still in flight when the window closed included. */
  sent: number;
  seconds: number;
  requestsPerSecond: number;
  /** Every request's latency as autocannon measured it. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Each operation's, from when its request was written to when its answer was read. */
  byOperation: Record<Operation, { count: number; p50Ms: number; p99Ms: number }>;
  /** The first wrong answers, cut short. */
  samples: string[];
}

/**
 * Runs the home screen for `seconds` on `connections` connections: each connection sends one
 * customer's three requests one after another, then the next customer's (customers in turn
 * across all connections), and every answer is compared with that customer's reference answer.
 */
export async function runScreenLoad(spec: {
  url: string;
  requests: readonly ScreenRequests[];
  answers: readonly Record<Operation, string>[];
  connections: number;
  seconds: number;
}): Promise<ScreenLoadOutcome> {
  let ok = 0;
  let wrong = 0;
  let next = 0;
  const samples: string[] = [];
  const latencies = Object.fromEntries(OPERATIONS.map((o) => [o, [] as number[]])) as Record<Operation, number[]>;
  type Context = { customer: number; sentAt: number };
  const steps = OPERATIONS.map((operation, step) => ({
    method: 'POST' as const,
    setupRequest: (request: autocannon.Request, context: Context) => {
      // The screen's first request takes the next customer; the other two are that customer's.
      if (step === 0) context.customer = next++ % spec.requests.length;
      const r = spec.requests[context.customer];
      context.sentAt = performance.now();
      return { ...request, headers: r.headers, body: r.bodies[operation] };
    },
    onResponse: (status: number, body: string, context: Context) => {
      latencies[operation].push(performance.now() - context.sentAt);
      if (status === 200 && isCorrect(body, spec.answers[context.customer][operation])) ok += 1;
      else {
        wrong += 1;
        if (samples.length < 3) samples.push(`${operation} HTTP ${status}: ${body.slice(0, 300)}`);
      }
    },
  }));
  const started = performance.now();
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.seconds,
    initialContext: { customer: 0, sentAt: 0 },
    requests: steps as unknown as autocannon.Request[],
  });
  const seconds = result.duration || (performance.now() - started) / 1000;
  const byOperation = Object.fromEntries(
    OPERATIONS.map((o) => {
      const sorted = latencies[o].sort((a, b) => a - b);
      return [o, { count: sorted.length, p50Ms: round(percentile(sorted, 50), 1), p99Ms: round(percentile(sorted, 99), 1) }];
    }),
  ) as ScreenLoadOutcome['byOperation'];
  return {
    ok,
    wrong,
    failed: result.errors + result.timeouts,
    sent: result.requests.sent,
    seconds,
    requestsPerSecond: ok / seconds,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    byOperation,
    samples,
  };
}
