import { DomainError, ErrorCode, errors, httpStatusFor, type Logger } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { currencyCode } from '../domain/currency';
import { parsePositiveAmount } from '../domain/money';
import type { AccountService } from '../services/account-service';
import type { LedgerService } from '../ledger';
import { accountJson, balanceJson, transferJson } from './ledger-json';

/** What the internal ledger routes call. */
export interface LedgerRoutesOptions {
  ledger: LedgerService;
  accounts: AccountService;
  logger: Logger;
  /** The services whose service tokens may call these routes (LEDGER_API_CALLERS). */
  callers: readonly string[];
  /** Services that may only read (the GET routes): LEDGER_READ_CALLERS. */
  readers?: readonly string[];
}

/** URL prefix of the internal ledger API. */
export const LEDGER_API_PREFIX = '/internal/ledger';

const createTransferBody = z
  .object({
    id: z.string(),
    code: z.string(),
    description: z.string().optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    causedBy: z.string().optional(),
    postings: z
      .array(
        z
          .object({
            accountId: z.string(),
            direction: z.enum(['DEBIT', 'CREDIT']),
            amount: z.string().max(64),
            currency: z.string(),
          })
          .strict(),
      )
      .min(2)
      .max(64),
    pendingTimeoutSeconds: z.number().int().optional(),
  })
  .strict();

const resolveBody = z.object({ id: z.string(), amount: z.string().max(64).optional() }).strict();
const idParams = z.object({ id: z.string() });
const userParams = z.object({ userId: z.string().uuid() });
const systemAccountBody = z.object({ type: z.enum(['SETTLEMENT', 'FEES', 'CLEARING']), currency: z.string() }).strict();
const pendingParams = z.object({ pendingId: z.string() });
const historyQuery = z.object({ afterSeq: z.string().regex(/^\d{1,19}$/).default('0'), limit: z.coerce.number().int().min(1).max(1_000).default(500) });

/** Parses with zod, turning the first problem into BAD_USER_INPUT naming the field. */
function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.') || undefined;
  throw errors.badInput(field ? `${field}: ${issue.message}` : issue.message, field ? { field } : undefined);
}

/**
 * The internal ledger API for other services (payments first): create, post
 * and void transfers and read balances, as JSON over HTTP. Not part of the
 * public graph. Every route of this scope, whenever it is added, is open only
 * to `callers`, and the GET routes also to `readers` (the server's service
 * access checks the token on the route itself). Errors are `{ error: { code, message } }` with the catalogue's HTTP
 * status.
 */
export async function ledgerRoutes(app: FastifyInstance, options: LedgerRoutesOptions): Promise<void> {
  const { ledger, accounts, logger } = options;
  const callers = [...options.callers];
  const readers = [...new Set([...callers, ...(options.readers ?? [])])];
  app.addHook('onRoute', (route) => {
    const reads = [route.method].flat().every((method) => method === 'GET' || method === 'HEAD');
    route.config = { ...route.config, serviceCallers: reads ? readers : callers };
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof DomainError) {
      const field = err.extensions.field;
      return reply.code(httpStatusFor[err.code]).send({ error: { code: err.code, message: err.message, ...(field ? { field } : {}) } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own refusals: malformed JSON, wrong content type, body too large.
      return reply.code(status).send({ error: { code: ErrorCode.BAD_USER_INPUT, message: (err as Error).message } });
    }
    logger.error({ err, requestId: request.id, caller: request.serviceCaller }, 'internal ledger API failed');
    return reply.code(500).send({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: ErrorCode.NOT_FOUND, message: 'No such ledger API route.' } }),
  );

  /** Creates a transfer (pending when pendingTimeoutSeconds is set); idempotent by id. */
  app.post('/transfers', async (request) => {
    const body = parse(createTransferBody, request.body);
    const postings = body.postings.map((p, i) => {
      const currency = currencyCode(p.currency);
      return { accountId: p.accountId, direction: p.direction, currency, amount: parsePositiveAmount(p.amount, currency, `postings.${i}.amount`) };
    });
    const transfer = await ledger.createTransfer({ ...body, postings });
    return transferJson(transfer);
  });

  /** Posts a pending transfer, in full or (two postings only) in part; idempotent by the body's id. */
  app.post('/transfers/:pendingId/post', async (request) => {
    const { pendingId } = parse(pendingParams, request.params);
    const body = parse(resolveBody, request.body);
    let amount: bigint | undefined;
    if (body.amount !== undefined) {
      const pending = await ledger.getTransfer(pendingId);
      if (!pending) throw errors.notFound(`Pending transfer ${pendingId} does not exist.`);
      amount = parsePositiveAmount(body.amount, pending.postings[0].currency);
    }
    return transferJson(await ledger.postPending({ id: body.id, pendingId, amount }));
  });

  /** Voids a pending transfer, releasing the whole hold; idempotent by the body's id. */
  app.post('/transfers/:pendingId/void', async (request) => {
    const { pendingId } = parse(pendingParams, request.params);
    const body = parse(resolveBody, request.body);
    if (body.amount !== undefined) throw errors.badInput('A void releases the whole hold; it takes no amount.', { field: 'amount' });
    return transferJson(await ledger.voidPending({ id: body.id, pendingId }));
  });

  /** A transfer with its postings. */
  app.get('/transfers/:id', async (request) => {
    const { id } = parse(idParams, request.params);
    const transfer = await ledger.getTransfer(id);
    if (!transfer) throw errors.notFound(`Transfer ${id} does not exist.`);
    return transferJson(transfer);
  });

  /**
   * The ledger in chain order, a page at a time: `?afterSeq=<n>&limit=<1..1000>`
   * answers `{ transfers: [...], nextAfterSeq }` (null once the end is reached).
   */
  app.get('/history', async (request) => {
    const { afterSeq, limit } = parse(historyQuery, request.query);
    const page = await ledger.history(BigInt(afterSeq), limit);
    return {
      transfers: page.map(({ seq, transfer }) => ({ seq: seq.toString(), ...transferJson(transfer) })),
      nextAfterSeq: page.length === limit ? page[page.length - 1].seq.toString() : null,
    };
  });

  /** An account: owner, kind, type, currency, status and balances. */
  app.get('/accounts/:id', async (request) => {
    const { id } = parse(idParams, request.params);
    const [account] = await accounts.findByIds([id]);
    if (!account) throw errors.notFound(`Account ${id} does not exist.`);
    return accountJson(account);
  });

  /** A customer's accounts, oldest first (closed ones included: the caller decides). */
  app.get('/users/:userId/accounts', async (request) => {
    const { userId } = parse(userParams, request.params);
    const [owned] = await accounts.findByOwners([userId]);
    return { accounts: owned.map(accountJson) };
  });

  /** The bank's own account of a type and currency (a clearing or settlement account), created on first use. */
  app.post('/system-accounts', async (request) => {
    const body = parse(systemAccountBody, request.body);
    return accountJson(await accounts.systemAccount(body.type, currencyCode(body.currency)));
  });

  /** An account's posted, pending and available balances. */
  app.get('/accounts/:id/balance', async (request) => {
    const { id } = parse(idParams, request.params);
    const [account] = await accounts.findByIds([id]);
    if (!account) throw errors.notFound(`Account ${id} does not exist.`);
    return balanceJson(account);
  });
}
