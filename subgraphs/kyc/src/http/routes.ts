import {
  answerDomainErrors,
  bearerToken,
  ErrorCode,
  errorBody,
  errors,
  serveDevMailbox,
  type AccessTokenVerifier,
  type DevMailbox,
  type Logger,
} from '@meridian/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import type { Row } from '@meridian/platform';
import { formatPence, TIER_LIMITS, type Tier } from '../domain/tier';
import type { CaseProcessor } from '../services/case-processor';
import type { ReviewService } from '../services/review-service';

/** Prefix of the internal API other services call (payments reads tiers). */
export const KYC_API_PREFIX = '/internal/kyc';
/** Where verification providers deliver results; its signature is its authentication. */
export const PROVIDER_WEBHOOK_ROUTE = '/webhooks/verification';
/** A document's content, for the BFFs (with the user's access token). */
export const DOCUMENT_ROUTE = '/documents/:id';
/** What was sent, in development only (the platform's mailbox route). */
export { DEV_MAILBOX_ROUTE } from '@meridian/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Options for {@link kycRoutes}. */
export interface KycRoutesOptions {
  db: DataSource;
  processor: CaseProcessor;
  review: ReviewService;
  accessTokens: AccessTokenVerifier;
  logger: Logger;
  /** Services that may read tiers (KYC_API_CALLERS). */
  apiCallers: readonly string[];
  /** Services that may fetch documents for their users (GRAPH_CALLERS: the BFFs). */
  documentCallers: readonly string[];
  /** Set only in development. */
  devMailbox?: DevMailbox;
}

/** The tier of a user as the internal API answers it. */
export async function tierOf(db: DataSource, userId: string) {
  const [row]: Row[] = await db.query(`SELECT tier, updated_at FROM kyc.profiles WHERE user_id = $1`, [userId]);
  const tier = (row?.tier as Tier | undefined) ?? 'TIER_0';
  const limits = TIER_LIMITS[tier];
  return {
    userId,
    tier,
    limits: { currency: limits.currency, singlePayment: formatPence(limits.singlePayment), daily: formatPence(limits.daily), monthly: formatPence(limits.monthly) },
    updatedAt: row ? new Date(row.updated_at as string).toISOString() : null,
  };
}

/**
 * KYC's routes besides `/graphql`: the internal tier API (KYC_API_CALLERS
 * only), the provider webhook (public: its Standard Webhooks signature is
 * checked before anything is read), document content for the BFFs (service
 * token and the user's access token; a reviewer adds `?reason=`), and the
 * development mailbox.
 */
export async function kycRoutes(app: FastifyInstance, options: KycRoutesOptions): Promise<void> {
  const { logger } = options;

  await app.register(async (internal) => {
    answerDomainErrors(internal, logger, 'KYC route');
    internal.addHook('onRoute', (route) => {
      route.config = { ...route.config, serviceCallers: [...options.apiCallers] };
    });
    /** A user's tier and its limits; a user KYC has never seen is TIER_0. */
    internal.get<{ Params: { userId: string } }>('/users/:userId/tier', async (request) => {
      if (!UUID.test(request.params.userId)) throw errors.badInput('userId must be a UUID.', { field: 'userId' });
      return tierOf(options.db, request.params.userId.toLowerCase());
    });
  }, { prefix: KYC_API_PREFIX });

  await app.register(async (webhooks) => {
    answerDomainErrors(webhooks, logger, 'KYC route');
    // The signature covers the exact bytes: keep the body as it came.
    webhooks.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
    webhooks.post(PROVIDER_WEBHOOK_ROUTE, async (request, reply) => {
      const outcome = await options.processor.handleWebhook(request.headers, typeof request.body === 'string' ? request.body : '');
      return reply.code(200).send({ received: true, outcome });
    });
  });

  await app.register(async (documents) => {
    answerDomainErrors(documents, logger, 'KYC route');
    documents.addHook('onRoute', (route) => {
      route.config = { ...route.config, serviceCallers: [...options.documentCallers] };
    });
    documents.get<{ Params: { id: string }; Querystring: { reason?: string } }>(DOCUMENT_ROUTE, async (request, reply: FastifyReply) => {
      const token = bearerToken(String(request.headers.authorization ?? ''));
      if (!token) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="meridian-documents"')
          .send(errorBody(ErrorCode.UNAUTHENTICATED, 'A document is served only with its owner’s or a KYC reviewer’s access token.'));
      }
      const viewer = await options.accessTokens(token);
      // Staff say why in `?reason=`, kept in the audit log with the read.
      const reason = typeof request.query.reason === 'string' ? request.query.reason : undefined;
      const { document, content } = await options.review.document(viewer, request.params.id, { reason, requestId: request.id });
      return reply
        .header('content-type', document.contentType)
        .header('content-length', String(document.size))
        .header('content-disposition', `attachment; filename="${document.kind.toLowerCase()}-${document.id}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(content.body);
    });
  });

  if (options.devMailbox) serveDevMailbox(app, options.devMailbox);
}
