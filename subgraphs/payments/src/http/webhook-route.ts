import { answerDomainErrors, type Logger } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import { PAYMENTS_WEBHOOK_PATH } from '../providers/open-simulated-provider';
import type { PaymentService } from '../services/payment-service';

/**
 * The payment provider's webhook: public, authenticated by its Standard
 * Webhooks signature over the exact bytes, checked before anything is read.
 * A bad or stale signature is 401 and changes nothing; a malformed event 400;
 * a duplicate or an out-of-date event 200 (acknowledged, ignored), so the
 * provider stops sending it.
 */
export async function webhookRoute(app: FastifyInstance, options: { payments: PaymentService; logger: Logger }): Promise<void> {
  await app.register(async (webhooks) => {
    answerDomainErrors(webhooks, options.logger, 'payment provider webhook');
    webhooks.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
    webhooks.post(PAYMENTS_WEBHOOK_PATH, async (request, reply) => {
      const outcome = await options.payments.providerWebhook(request.headers, typeof request.body === 'string' ? request.body : '');
      return reply.code(200).send({ received: true, outcome });
    });
  });
}
