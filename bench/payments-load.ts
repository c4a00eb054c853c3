// The load of the payments benchmark: workers that each make one P2P payment after another
// until the deadline, through one of four fronts: the mobile BFF as the app calls it (trusted
// document ids, a bearer token, the device id), in one request (createPayment with
// `confirm: true`) or in two (createPayment, then confirmPayment, each under an idempotency key
// of its own); the gateway server with a service token; or payments itself with the gateway's
// service token (both in one request).
import { createMeridianClient, documentIdOf, MeridianError, newIdempotencyKey, type MeridianClient } from '@meridian/client';
import {
  ConfirmPaymentDocument,
  CreatePaymentDocument,
  type CreatePaymentInput,
  type CreatePaymentMutation,
} from '@meridian/client/mobile';
import { createKeySet, createServiceTokenIssuer, IDEMPOTENCY_KEY_HEADER, SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { loadTrustedDocumentsManifest } from '@meridian/schema';
import { CURRENCY, PAYMENTS_PER_PAYER, type BenchCustomer } from './payments-fixtures';
import type { KeyEnv } from '../deploy/key-env';

/** Where the payments are sent: through the mobile BFF (in one request or two), the gateway server, or straight to payments. */
export type Front = 'bff' | 'bff-two-step' | 'gateway' | 'direct';

/** A failure with the code the caller would act on (`extensions.code`, or what went wrong on the way). */
class CodedError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * Payers in turn, as active customers: a window of payers (8 per worker) is served round
 * robin, and a payer who has made {@link PAYMENTS_PER_PAYER} payments gives their place to a
 * fresh one. A payer's payments are a window apart, so never run at once, and each payer's
 * history grows as a real customer's would (the fraud rules read it). Shared by every
 * scenario of a run: the velocity rule counts a payer's payments across them.
 */
export class PayerQueue {
  private readonly window: { payer: BenchCustomer; paid: number }[];
  private fresh: number;
  private cursor = 0;
  private taken = 0;
  private done = false;

  constructor(private readonly payers: readonly BenchCustomer[], concurrency: number) {
    this.window = payers.slice(0, 8 * concurrency).map((payer) => ({ payer, paid: 0 }));
    this.fresh = this.window.length;
  }

  /** The next payer to pay, or undefined once a payer who is done cannot be replaced. */
  take(): BenchCustomer | undefined {
    if (this.done) return undefined;
    const entry = this.window[this.cursor];
    this.cursor = (this.cursor + 1) % this.window.length;
    const payer = entry.payer;
    entry.paid += 1;
    this.taken += 1;
    if (entry.paid === PAYMENTS_PER_PAYER) {
      if (this.fresh < this.payers.length) Object.assign(entry, { payer: this.payers[this.fresh++], paid: 0 });
      else this.done = true;
    }
    return payer;
  }

  /** Payments handed out so far. */
  get used(): number {
    return this.taken;
  }
}

/** Sends one payment; answers the status it ended in and how long each request took (confirmMs 0 when made in one). */
export type SendPayment = (payer: BenchCustomer, recipient: BenchCustomer) => Promise<{ status: string; createMs: number; confirmMs: number }>;

/** What one scenario's workers did. */
export interface LoadOutcome {
  /** Payments started before the deadline. */
  attempted: number;
  succeeded: number;
  /** From the first payment's start to the last one's end. */
  seconds: number;
  /** Whole payment (create + confirm) of each SUCCEEDED one, in ms, sorted. */
  latencies: number[];
  createMs: number[];
  confirmMs: number[];
  /** Requests that failed, by code. */
  errors: Record<string, number>;
  /** Payments that ended in a status other than SUCCEEDED (a hold for review, a failure), by status. */
  statuses: Record<string, number>;
  /** True when the payers ran out before the deadline. */
  exhausted: boolean;
}

function input(payer: BenchCustomer, recipient: BenchCustomer, confirm: boolean): CreatePaymentInput {
  // Small amounts: a first payment to a new recipient above 500 is held for review.
  const pence = 100 + Math.floor(Math.random() * 1_900);
  return {
    kind: 'P2P',
    accountId: payer.accountId,
    amount: `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`,
    currency: CURRENCY,
    recipient: { email: recipient.email },
    description: 'Benchmark',
    ...(confirm ? { confirm: true } : {}),
  };
}

/** Runs `concurrency` workers making payments until `seconds` have passed. */
export async function runLoad(send: SendPayment, queue: PayerQueue, recipients: readonly BenchCustomer[], concurrency: number, seconds: number): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { attempted: 0, succeeded: 0, seconds: 0, latencies: [], createMs: [], confirmMs: [], errors: {}, statuses: {}, exhausted: false };
  const started = performance.now();
  const deadline = started + seconds * 1_000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const payer = queue.take();
      if (!payer) {
        outcome.exhausted = true;
        return;
      }
      const recipient = recipients[Math.floor(Math.random() * recipients.length)];
      outcome.attempted += 1;
      const t0 = performance.now();
      try {
        const { status, createMs, confirmMs } = await send(payer, recipient);
        if (status !== 'SUCCEEDED') {
          outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1;
          continue;
        }
        outcome.succeeded += 1;
        outcome.latencies.push(performance.now() - t0);
        outcome.createMs.push(createMs);
        outcome.confirmMs.push(confirmMs);
      } catch (err) {
        const code = err instanceof MeridianError || err instanceof CodedError ? err.code : err instanceof Error ? err.name : 'UNKNOWN';
        outcome.errors[code] = (outcome.errors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  outcome.seconds = (performance.now() - started) / 1_000;
  for (const list of [outcome.latencies, outcome.createMs, outcome.confirmMs]) list.sort((a, b) => a - b);
  return outcome;
}

/**
 * Through the mobile BFF, as the app does: `@meridian/client` sending document ids, with the
 * payer's token and device id; in one request (`confirm: true`) or create then confirm.
 */
export function viaMobileBff(url: string, tokens: () => Map<string, string>, requests: 1 | 2): SendPayment {
  const clients = new Map<string, MeridianClient>();
  const clientOf = (payer: BenchCustomer) => {
    let api = clients.get(payer.userId);
    if (!api) {
      api = createMeridianClient({ url: `${url}/graphql`, client: 'mobile', deviceId: `bench-${payer.userId.slice(-12)}`, getAccessToken: () => tokens().get(payer.userId) });
      clients.set(payer.userId, api);
    }
    return api;
  };
  return async (payer, recipient) => {
    const api = clientOf(payer);
    const t0 = performance.now();
    const created = (await api.request(CreatePaymentDocument, { input: input(payer, recipient, requests === 1) }, { idempotencyKey: newIdempotencyKey() })).createPayment;
    const t1 = performance.now();
    if (requests === 1) return { status: created.status, createMs: t1 - t0, confirmMs: 0 };
    const confirmed = (await api.request(ConfirmPaymentDocument, { id: created.id }, { idempotencyKey: newIdempotencyKey() })).confirmPayment;
    return { status: confirmed.status, createMs: t1 - t0, confirmMs: performance.now() - t1 };
  };
}

/** The text of a mobile document, as the BFF finds it in the app's manifest by its id. */
function documentText(document: Parameters<typeof documentIdOf>[0]): string {
  const hash = documentIdOf(document).slice('sha256:'.length);
  const text = loadTrustedDocumentsManifest('mobile')[hash];
  if (!text) throw new Error(`the mobile manifest has no document ${hash}`);
  return text;
}

/**
 * Straight to a GraphQL endpoint that takes a service token (the gateway server, or payments
 * itself), with the same document's text, the payer's token and the idempotency key as the
 * BFF would forward them, in one request (`confirm: true`). `service` signs the service token for `audience`.
 */
export async function viaServiceToken(endpoint: string, keys: KeyEnv, service: 'gateway' | 'bff-mobile', audience: string, tokens: () => Map<string, string>): Promise<SendPayment> {
  const variable = service === 'gateway' ? 'GATEWAY_SERVICE_SIGNING_KEYS' : 'BFF_MOBILE_SERVICE_SIGNING_KEYS';
  const serviceToken = createServiceTokenIssuer({ service, keys: await createKeySet((JSON.parse(keys[variable]) as { keys: Parameters<typeof createKeySet>[0] }).keys) });
  const createText = documentText(CreatePaymentDocument);
  const post = async <T>(payer: BenchCustomer, query: string, variables: Record<string, unknown>): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${tokens().get(payer.userId)}`,
          [SERVICE_TOKEN_HEADER]: await serviceToken(audience),
          [IDEMPOTENCY_KEY_HEADER]: newIdempotencyKey(),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new CodedError('NETWORK_ERROR');
    }
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: { extensions?: { code?: string } }[] };
    if (body.errors?.length) throw new CodedError(body.errors[0].extensions?.code ?? `HTTP_${res.status}`);
    if (!res.ok || !body.data) throw new CodedError(`HTTP_${res.status}`);
    return body.data;
  };
  return async (payer, recipient) => {
    const t0 = performance.now();
    const created = (await post<CreatePaymentMutation>(payer, createText, { input: input(payer, recipient, true) })).createPayment;
    return { status: created.status, createMs: performance.now() - t0, confirmMs: 0 };
  };
}
