import { Readable } from 'node:stream';
import { errorBody, ErrorCode, SERVICE_TOKEN_HEADER, type Logger, type ServiceTokenIssuer } from '@meridian/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Options for {@link registerDocumentDownloads}. */
export interface DocumentDownloadsOptions {
  /** KYC's GraphQL URL (KYC_URL); its document route is beside it. */
  kycUrl: string;
  issueServiceToken: ServiceTokenIssuer;
  /** The request's `Authorization` header as GraphQL would send it (the bearer token, or on the web the session's). */
  authorizationOf: (request: FastifyRequest) => Promise<string | undefined>;
  logger: Logger;
  /** Longest the fetch from KYC may take before the first byte; default 10 s. */
  timeoutMs?: number;
}

/** Where clients fetch a KYC document's content. */
export const DOCUMENT_DOWNLOAD_ROUTE = '/kyc/documents/:id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Headers of KYC's answer passed on to the client. */
const PASSED_ON = ['content-type', 'content-length', 'content-disposition', 'cache-control', 'x-content-type-options'];

/**
 * `GET /kyc/documents/:id`: a KYC document's content for the signed-in user,
 * streamed from KYC with this BFF's service token and the user's access token.
 * KYC decides who may read it (its owner, or a compliance officer, audited);
 * the BFF only carries the bytes. Never cached.
 */
export function registerDocumentDownloads(app: FastifyInstance, options: DocumentDownloadsOptions): void {
  const base = new URL(options.kycUrl);
  app.get<{ Params: { id: string } }>(DOCUMENT_DOWNLOAD_ROUTE, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const authorization = await options.authorizationOf(request);
    if (!authorization) return reply.code(401).send(errorBody(ErrorCode.UNAUTHENTICATED, 'Sign in to see documents.'));
    if (!UUID.test(request.params.id)) return reply.code(404).send(errorBody(ErrorCode.NOT_FOUND, 'Document not found.'));
    let upstream: Response;
    try {
      upstream = await fetch(new URL(`/documents/${request.params.id.toLowerCase()}`, base), {
        headers: { authorization, [SERVICE_TOKEN_HEADER]: await options.issueServiceToken('kyc'), 'x-request-id': request.id },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'KYC document fetch failed');
      return reply.code(503).send(errorBody(ErrorCode.SERVICE_UNAVAILABLE, 'Documents are temporarily unavailable. Try again shortly.'));
    }
    if (!upstream.ok || !upstream.body) {
      const text = await upstream.text();
      if (upstream.status >= 500) {
        options.logger.warn({ status: upstream.status }, 'KYC document fetch failed');
        return reply.code(503).send(errorBody(ErrorCode.SERVICE_UNAVAILABLE, 'Documents are temporarily unavailable. Try again shortly.'));
      }
      // KYC's own refusal (401, 404) in the API's error shape.
      return reply.code(upstream.status).type('application/json; charset=utf-8').send(text);
    }
    for (const name of PASSED_ON) {
      const value = upstream.headers.get(name);
      if (value) reply.header(name, value);
    }
    return reply.code(200).send(Readable.fromWeb(upstream.body as never));
  });
}
