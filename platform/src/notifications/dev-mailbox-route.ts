import type { FastifyInstance } from 'fastify';
import type { BaseConfig } from '../config';
import { ErrorCode, errorBody } from '../errors';
import { isDevMailbox, type DevMailbox } from './dev-mailbox';
import type { Notifier } from './notification';

/** Where a server shows what its development mailbox kept: `GET /dev/mailbox?to=<phone or email>`. */
export const DEV_MAILBOX_ROUTE = '/dev/mailbox';

/**
 * The notifier as a readable mailbox when the mailbox route may be served:
 * only with `NODE_ENV=development` and a {@link DevMailbox}; undefined
 * otherwise (tests, production, the webhook).
 */
export function devMailboxToServe(config: Pick<BaseConfig, 'NODE_ENV'>, notifier: Notifier): DevMailbox | undefined {
  return config.NODE_ENV === 'development' && isDevMailbox(notifier) ? notifier : undefined;
}

/**
 * Serves {@link DEV_MAILBOX_ROUTE}: the newest 20 messages kept for `?to=`.
 * Register it only with what {@link devMailboxToServe} returns, and list the
 * route among the server's public routes: it reads one-time codes back.
 */
export function serveDevMailbox(app: FastifyInstance, mailbox: DevMailbox): void {
  app.get<{ Querystring: { to?: string } }>(DEV_MAILBOX_ROUTE, async (request, reply) => {
    // An unencoded `+` in a query string arrives as a space: `?to=+4479…` means the number.
    const raw = request.query.to ?? '';
    const to = (/^ \d/.test(raw) ? `+${raw.slice(1)}` : raw).trim();
    if (!to) return reply.code(400).send(errorBody(ErrorCode.BAD_USER_INPUT, 'Give ?to= a phone number (E.164) or an email address.'));
    return { to, messages: await mailbox.list(to, { limit: 20 }) };
  });
}
