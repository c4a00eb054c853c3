import type { FastifyInstance } from 'fastify';
import { registerStreamedDownload, type DownloadCaller } from './streamed-download';

/** Options for {@link registerTransactionExports}. */
export interface TransactionExportsOptions extends DownloadCaller {
  /** Insights' GraphQL URL (INSIGHTS_URL); its export route is beside it. */
  insightsUrl: string;
}

/** Where clients download their transactions as CSV. */
export const TRANSACTION_EXPORT_ROUTE = '/exports/transactions.csv';

/** Insights' own route for it (its EXPORT_ROUTE), which takes the BFFs' service tokens (INSIGHTS_API_CALLERS). */
const INSIGHTS_EXPORT_PATH = '/exports/transactions.csv';

/**
 * `GET /exports/transactions.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: the signed-in
 * customer's transactions in a range of local dates as CSV, streamed from
 * insights with this BFF's service token and the customer's access token.
 * Insights checks the range (400 BAD_USER_INPUT, `field: range`) and answers
 * only the customer's own transactions; only `from` and `to` are sent on.
 */
export function registerTransactionExports(app: FastifyInstance, options: TransactionExportsOptions): void {
  const { insightsUrl, ...caller } = options;
  registerStreamedDownload(app, {
    ...caller,
    route: TRANSACTION_EXPORT_ROUTE,
    baseUrl: insightsUrl,
    audience: 'insights',
    target: (request) => {
      // Fastify's parsed query string: a name sent twice is an array, which insights refuses as a missing date.
      const sent = request.query as Record<string, unknown>;
      const query = new URLSearchParams();
      for (const name of ['from', 'to']) if (typeof sent[name] === 'string') query.set(name, sent[name]);
      return `${INSIGHTS_EXPORT_PATH}?${query}`;
    },
    messages: { unauthenticated: 'Sign in to export your transactions.', unavailable: 'Exports are temporarily unavailable. Try again shortly.' },
    // An export reads up to a year of rows: a few an hour serve any customer.
    perHour: 30,
  });
}
