import { answerDomainErrors, errors, type Logger } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../services/account-service';

/** URL prefix of identity's internal API. */
export const IDENTITY_API_PREFIX = '/internal/identity';

/** Options for {@link identityRoutes}. */
export interface IdentityRoutesOptions {
  accounts: AccountService;
  logger: Logger;
  /** Services that may look customers up (IDENTITY_API_CALLERS). */
  callers: readonly string[];
}

// One of the two, never both: the caller says what the customer typed.
const lookupBody = z.union([z.object({ email: z.string().max(320) }).strict(), z.object({ phone: z.string().max(32) }).strict()]);

/**
 * Identity's internal API, open only to `callers`: finds the customer a
 * payment is addressed to by email or phone. A POST, so the address stays out
 * of URLs and access logs. Answers the id and display name only.
 */
export async function identityRoutes(app: FastifyInstance, options: IdentityRoutesOptions): Promise<void> {
  const callers = [...options.callers];
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, serviceCallers: callers };
  });
  answerDomainErrors(app, options.logger, 'identity internal API');

  /** The customer with this email or phone number. Errors: BAD_USER_INPUT, NOT_FOUND. */
  app.post('/users/lookup', async (request) => {
    const parsed = lookupBody.safeParse(request.body ?? {});
    if (!parsed.success) throw errors.badInput('Give exactly one of email or phone.');
    const query = parsed.data;
    const user = 'email' in query ? await options.accounts.findByEmail(query.email) : await options.accounts.findByPhone(query.phone);
    if (!user) throw errors.notFound('No customer has this email address or phone number.');
    return { id: user.id, displayName: user.displayName };
  });
}
