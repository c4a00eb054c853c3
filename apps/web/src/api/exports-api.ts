import { MeridianError, parseJsonOrUndefined, refusalOf } from '@meridian/client';

/** A file the BFF sent as an attachment. */
export interface DownloadedFile {
  blob: Blob;
  /** The name from `Content-Disposition`, else one made from the request. */
  fileName: string;
}

/**
 * The web BFF's downloads: `GET /exports/transactions.csv?from=&to=` (the
 * signed-in customer's transactions over a range of local days) with the
 * session cookie. Every refusal rejects with a MeridianError carrying the
 * BFF's `extensions.code` (UNAUTHENTICATED, BAD_USER_INPUT, RATE_LIMITED, SERVICE_UNAVAILABLE).
 */
export interface ExportsApi {
  transactionsCsv(range: { from: string; to: string }, options?: { signal?: AbortSignal }): Promise<DownloadedFile>;
}

/** The `filename="…"` of a Content-Disposition header, if it has a plain one. */
export function attachmentName(header: string | null): string | undefined {
  const match = header ? /filename="([^"\\/]+)"/.exec(header) : null;
  return match?.[1];
}

export function createExportsApi(fetchImpl: typeof fetch, baseUrl = ''): ExportsApi {
  return {
    async transactionsCsv(range, options = {}) {
      const query = new URLSearchParams({ from: range.from, to: range.to });
      const path = `/exports/transactions.csv?${query}`;
      let response: Response;
      try {
        response = await fetchImpl(`${baseUrl}${path}`, { method: 'GET', credentials: 'same-origin', headers: { accept: 'text/csv, application/json' }, signal: options.signal });
      } catch (cause) {
        throw new MeridianError('NETWORK_ERROR', 'The Meridian API could not be reached.', { cause });
      }
      const requestId = response.headers.get('x-request-id') ?? undefined;
      // Read as text: the file is UTF-8 CSV, a refusal is JSON in the error shape.
      const text = await response.text();
      if (response.ok) {
        const fileName = attachmentName(response.headers.get('content-disposition')) ?? `meridian-transactions-${range.from}-to-${range.to}.csv`;
        return { blob: new Blob([text], { type: 'text/csv;charset=utf-8' }), fileName };
      }
      throw refusalOf({ path: '/exports/transactions.csv', status: response.status, body: parseJsonOrUndefined(text), retryAfterHeader: response.headers.get('retry-after'), requestId });
    },
  };
}
