import { ErrorCode, isUuid } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import { registerStreamedDownload, type DownloadCaller } from './streamed-download';

/** Options for {@link registerDocumentDownloads}. */
export interface DocumentDownloadsOptions extends DownloadCaller {
  /** KYC's GraphQL URL (KYC_URL); its document route is beside it. */
  kycUrl: string;
}

/** Where clients fetch a KYC document's content. */
export const DOCUMENT_DOWNLOAD_ROUTE = '/kyc/documents/:id';


/**
 * `GET /kyc/documents/:id`: a KYC document's content for the signed-in user,
 * streamed from KYC with this BFF's service token and the user's access token.
 * KYC decides who may read it (its owner, or a compliance officer, who adds
 * `?reason=` and is audited with it); the BFF only carries the bytes. Never cached.
 */
export function registerDocumentDownloads(app: FastifyInstance, options: DocumentDownloadsOptions): void {
  const { kycUrl, ...caller } = options;
  registerStreamedDownload(app, {
    ...caller,
    route: DOCUMENT_DOWNLOAD_ROUTE,
    baseUrl: kycUrl,
    audience: 'kyc',
    target: (request) => {
      // The route's own `:id`, so always a string.
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return { status: 404, code: ErrorCode.NOT_FOUND, message: 'Document not found.' };
      // A reviewer's reason for reading goes on to KYC, which audits the read with it.
      const { reason } = request.query as { reason?: unknown };
      return `/documents/${id.toLowerCase()}${typeof reason === 'string' ? `?reason=${encodeURIComponent(reason)}` : ''}`;
    },
    messages: { unauthenticated: 'Sign in to see documents.', unavailable: 'Documents are temporarily unavailable. Try again shortly.' },
    // Staff reviewing cases read many documents in an hour.
    perHour: 600,
  });
}
