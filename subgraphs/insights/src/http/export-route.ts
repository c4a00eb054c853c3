import { bearerToken, errorBody, ErrorCode, formatDecimal, hasScope, type AccessTokenVerifier, type CurrencyCode, type Logger } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import type { DataSource } from 'typeorm';
import { categoryLabel, isDetailedCategory, isPrimaryCategory } from '../domain/taxonomy';
import { dateRange } from '../services/insights-service';

/** Where the BFFs fetch a customer's transactions as CSV (with a service token and the customer's access token). */
export const EXPORT_ROUTE = '/exports/transactions.csv';

/** Rows read per statement while streaming. */
const PAGE = 1_000;

const label = (c: string) => (isDetailedCategory(c) || isPrimaryCategory(c) ? categoryLabel(c) : c);

const HEADER = ['date', 'account_id', 'transfer_id', 'status', 'description', 'merchant', 'category', 'detailed_category', 'amount', 'currency'];

/** One CSV field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A field of free text (a description, a merchant name): a leading `=`, `+`,
 * `-`, `@`, tab or carriage return is neutralised with a quote so a
 * spreadsheet never runs it as a formula (CSV injection). Amounts and dates,
 * which Meridian writes itself, stay numbers.
 */
export function csvText(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

/**
 * `GET /exports/transactions.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: the signed-in
 * customer's transactions in a date range (at most a year), oldest first, as
 * CSV streamed a page at a time (never the whole range in memory). Voided holds
 * are left out. The service token (the BFFs, INSIGHTS_API_CALLERS) is checked
 * by the server; the customer is the one of the bearer token, which needs `insights:read`.
 */
export function exportRoute(app: FastifyInstance, options: { db: DataSource; accessTokens: AccessTokenVerifier; callers: readonly string[]; logger: Logger }): void {
  app.get<{ Querystring: { from?: string; to?: string } }>(EXPORT_ROUTE, { config: { serviceCallers: [...options.callers] } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const token = bearerToken(request.headers.authorization);
    const viewer = token ? await options.accessTokens(token).catch(() => null) : null;
    // RFC 6750: the customer's bearer token is what is missing or refused.
    if (!viewer) return reply.code(401).header('www-authenticate', 'Bearer realm="meridian"').send(errorBody(ErrorCode.UNAUTHENTICATED, 'Sign in to export your transactions.'));
    // The same scope as the categories in the graph (`Transaction.category`); staff tokens never hold it.
    if (!hasScope(viewer, 'insights:read')) return reply.code(403).send(errorBody(ErrorCode.FORBIDDEN, 'This sign-in may not export transactions (it needs insights:read).'));
    let range: { from: string; to: string };
    try {
      range = dateRange({ from: request.query.from ?? '', to: request.query.to ?? '' }, 'range');
    } catch (err) {
      return reply.code(400).send(errorBody(ErrorCode.BAD_USER_INPUT, (err as Error).message, { field: 'range' }));
    }
    // From here the response is written by hand, a page at a time.
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="meridian-transactions-${range.from}-to-${range.to}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    reply.raw.write(`${HEADER.join(',')}\r\n`);
    let after: { day: string; key: string } | null = null;
    try {
      for (;;) {
        const rows: { day: string; key: string; account_id: string; transfer_id: string; status: string; description: string; merchant_name: string | null; primary_category: string; category: string; amount: string; currency: string }[] =
          await options.db.query(
            `SELECT to_char(booked_on, 'YYYY-MM-DD') AS day, transfer_id::text || account_id::text AS key, account_id, coalesce(settled_by, transfer_id) AS transfer_id,
                    status, description, merchant_name, primary_category, category, amount::text AS amount, currency
             FROM insights.transactions
             WHERE user_id = $1 AND booked_on BETWEEN $2::date AND $3::date AND status <> 'VOIDED'
               AND ($4::date IS NULL OR (booked_on, transfer_id::text || account_id::text) > ($4::date, $5::text))
             ORDER BY booked_on, transfer_id::text || account_id::text LIMIT ${PAGE}`,
            [viewer.userId, range.from, range.to, after?.day ?? null, after?.key ?? null],
          );
        const lines = rows.map((r) => {
          return [
            r.day,
            r.account_id,
            r.transfer_id,
            r.status,
            csvText(r.description),
            csvText(r.merchant_name ?? ''),
            csvField(label(r.primary_category)),
            csvField(label(r.category)),
            formatDecimal(BigInt(r.amount), r.currency as CurrencyCode),
            r.currency,
          ].join(',');
        });
        if (lines.length > 0 && !reply.raw.write(`${lines.join('\r\n')}\r\n`)) await new Promise((resolve) => reply.raw.once('drain', resolve));
        if (rows.length < PAGE) break;
        after = { day: rows[rows.length - 1].day, key: rows[rows.length - 1].key };
      }
    } catch (err) {
      options.logger.error({ err, requestId: request.id }, 'transaction export failed');
      // The header is sent: cut the download short rather than end it as if complete.
      reply.raw.destroy(err as Error);
      return;
    }
    reply.raw.end();
  });
}
