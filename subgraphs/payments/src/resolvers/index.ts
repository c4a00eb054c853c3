import { DateTimeScalar, errors, formatDecimal, hasScope, requireUser, staffReason, type AccessTokenClaims, type CurrencyCode, type SubgraphContext } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { Resolvers, ScheduleInput as ScheduleInputArgument } from '../__generated__/resolvers-types';
import type { ScheduleInput, Weekday } from '../domain/schedule';
import type { StaffAudit } from '../data/staff-audit';
import type { PaymentRecord } from '../domain/payment';
import type { PaymentStatus } from '../domain/payment-state';
import type { CustomerTiers } from '../services/customer-tiers';
import type { PaymentService, RequestContext } from '../services/payment-service';
import type { SavedDestinations } from '../services/saved-destinations';
import type { ScheduledPayments, PaymentTemplate } from '../services/scheduled-payments';
import type { SpendingLimits } from '../services/spending-limits';
import { mergeResolvers } from './merge-resolvers';
import { decodeCursor, encodeCursor, pageSize, toPage } from './pages';
import { savedDestinationResolvers } from './saved-destinations';

/** Services the resolvers call. */
export interface PaymentsServices {
  db: DataSource;
  payments: PaymentService;
  tiers: CustomerTiers;
  limits: SpendingLimits;
  audit: StaffAudit;
  scheduled: ScheduledPayments;
  destinations: SavedDestinations;
}

const money = (amount: bigint, currency: CurrencyCode) => ({ amount, currency });
/** Staff reviewing payments (`payments:review`) see whose a payment is. */
const isReviewer = (viewer: AccessTokenClaims) => hasScope(viewer, 'payments:review');

/** The request as the payment service needs it: the user, the key (argument first, then the header). */
function requestOf(ctx: SubgraphContext, idempotencyKey?: string | null): RequestContext {
  return { viewer: requireUser(ctx), idempotencyKey: idempotencyKey ?? ctx.idempotencyKey ?? null, requestId: ctx.requestId };
}

/** The schedule as the domain reads it; a field the frequency needs but lacks is refused there, naming it. */
function scheduleInputOf(s: ScheduleInputArgument): ScheduleInput {
  const time = { timeZone: s.timeZone, timeOfDay: s.timeOfDay };
  const recurrence = { startDate: s.startDate, endDate: s.endDate, count: s.count };
  if (s.frequency === 'ONCE') return { ...time, frequency: 'ONCE', date: s.date ?? '' };
  if (s.frequency === 'WEEKLY') return { ...time, ...recurrence, frequency: 'WEEKLY', dayOfWeek: s.dayOfWeek as Weekday };
  return { ...time, ...recurrence, frequency: 'MONTHLY', dayOfMonth: s.dayOfMonth ?? Number.NaN };
}

/** Who moved a payment, without naming staff or users to the customer. */
function actorKind(actor: string): string {
  if (actor.startsWith('user:')) return 'CUSTOMER';
  if (actor.startsWith('staff:')) return 'STAFF';
  return 'SYSTEM';
}

/** Thin resolvers: arguments in, one service call, result out. */
export function createResolvers(services: PaymentsServices): Resolvers {
  const viewerOf = (ctx: SubgraphContext) => requireUser(ctx);
  const resolvers: Resolvers = {
    DateTime: DateTimeScalar,
    Query: {
      payments: async (_parent, { first, after, status }, ctx) => {
        const viewer = viewerOf(ctx);
        const size = pageSize(first);
        const cursor = decodeCursor(after);
        const rows = await services.payments.store.page(services.db, viewer.userId, { first: size, after: cursor, statuses: (status ?? undefined) as PaymentStatus[] | undefined });
        return toPage(rows, size, cursor);
      },
      payment: async (_parent, { id, reason }, ctx) => {
        const viewer = viewerOf(ctx);
        // Staff say why they read, before anything is read; the customer gives no reason.
        const why = isReviewer(viewer) ? staffReason(reason) : null;
        const payment = await services.payments.visible(viewer, id);
        if (payment.userId !== viewer.userId && payment.counterpartyUserId !== viewer.userId) {
          await services.audit.record([
            { staffUserId: viewer.userId, paymentId: payment.id, subjectUserId: payment.userId, operation: 'Query.payment', requestId: ctx.requestId, reason: why },
          ]);
        }
        return payment;
      },
      paymentReviewQueue: async (_parent, { first, after, reason }, ctx) => {
        // Who may (`payments:review`) is declared on the schema and enforced before this runs.
        const viewer = viewerOf(ctx);
        const why = staffReason(reason);
        const size = pageSize(first);
        const cursor = decodeCursor(after);
        const page = toPage(await services.payments.store.reviewQueue(services.db, { first: size, after: cursor }), size, cursor);
        await services.audit.record(
          page.items.map((p) => ({ staffUserId: viewer.userId, paymentId: p.id, subjectUserId: p.userId, operation: 'Query.paymentReviewQueue', requestId: ctx.requestId, reason: why })),
        );
        return page;
      },
    },
    Mutation: {
      createPayment: (_parent, { input, idempotencyKey }, ctx) => {
        const request = requestOf(ctx, idempotencyKey);
        if (input.kind === 'PAYOUT') {
          if (!input.payeeId || input.recipient) throw errors.badInput('A PAYOUT payment needs a payeeId and no recipient.', { field: 'payeeId' });
          return services.payments.createPayout(request, { ...input, payeeId: input.payeeId });
        }
        if (input.kind === 'CARD') {
          if (!input.cardId || input.recipient || input.payeeId) throw errors.badInput('A CARD payment needs a cardId and no recipient or payee.', { field: 'cardId' });
          return services.payments.createCardPayment(request, { ...input, cardId: input.cardId });
        }
        if (input.kind === 'BILL') {
          if (!input.billerId || input.recipient || input.payeeId || input.cardId) throw errors.badInput('A BILL payment needs a billerId and nothing else to pay.', { field: 'billerId' });
          return services.payments.createBillPayment(request, { ...input, billerId: input.billerId });
        }
        if (!input.recipient || input.payeeId) throw errors.badInput('A P2P payment needs a recipient and no payeeId.', { field: 'recipient' });
        return services.payments.createP2P(request, { ...input, recipient: input.recipient });
      },
      confirmPayment: (_parent, { id, idempotencyKey }, ctx) => services.payments.confirm(requestOf(ctx, idempotencyKey), id),
      cancelPayment: (_parent, { id, reason, idempotencyKey }, ctx) => {
        if (reason && reason.length > 200) throw errors.badInput('reason is at most 200 characters.', { field: 'reason' });
        return services.payments.cancel(requestOf(ctx, idempotencyKey), id, reason);
      },
      refundPayment: (_parent, { id, amount, reason, idempotencyKey }, ctx) => services.payments.refund(requestOf(ctx, idempotencyKey), id, { amount, reason }),
      createScheduledPayment: (_parent, { input }, ctx) => {
        const viewer = viewerOf(ctx);
        const { payment: { confirm: _confirm, ...payment }, schedule } = input;
        let template: PaymentTemplate;
        if (payment.kind === 'PAYOUT' && payment.payeeId && !payment.recipient) template = { ...payment, kind: 'PAYOUT', payeeId: payment.payeeId };
        else if (payment.kind === 'P2P' && payment.recipient && !payment.payeeId) template = { ...payment, kind: 'P2P', recipient: payment.recipient };
        else throw errors.badInput('A scheduled payment is P2P with a recipient or PAYOUT with a payeeId.', { field: 'payment' });
        return services.scheduled.create(viewer, template, scheduleInputOf(schedule));
      },
      cancelScheduledPayment: (_parent, { id }, ctx) => services.scheduled.cancel(viewerOf(ctx), id),
      decidePayment: async (_parent, { id, decision, reason, idempotencyKey }, ctx) => {
        const request = requestOf(ctx, idempotencyKey);
        const decided = await services.payments.decide(request, id, decision, reason);
        await services.audit.record([
          { staffUserId: request.viewer.userId, paymentId: id, subjectUserId: decided.userId, operation: `Mutation.decidePayment:${decision}`, requestId: ctx.requestId, reason: reason.trim() },
        ]);
        return decided;
      },
    },
    Payment: {
      __resolveReference: async (reference, ctx) => {
        const viewer = viewerOf(ctx);
        try {
          const payment = await services.payments.visible(viewer, reference.id);
          // A reference carries no reason: staff read someone else's payment through payment(id, reason) or the queue.
          return payment.userId === viewer.userId || payment.counterpartyUserId === viewer.userId ? payment : null;
        } catch {
          return null;
        }
      },
      amount: (p) => money(p.amount, p.currency),
      refundedAmount: (p) => money(p.refundedAmount, p.currency),
      account: (p, _args, ctx) => (p.userId === viewerOf(ctx).userId || isReviewer(viewerOf(ctx)) ? { id: p.accountId } : null),
      counterparty: (p, _args, ctx) => ({ name: p.userId === viewerOf(ctx).userId || isReviewer(viewerOf(ctx)) ? p.counterpartyName : 'Meridian customer' }),
      received: (p, _args, ctx) => p.userId !== viewerOf(ctx).userId && p.counterpartyUserId === viewerOf(ctx).userId,
      reviewReasons: (p) => p.reviewReasons,
      // Banking decides who may see the transfer; before confirmation there is none.
      transfer: (p) => (p.status === 'REQUIRES_CONFIRMATION' || p.status === 'CANCELED' ? null : { id: p.holdTransferId }),
      history: (p) => services.payments.store.history(services.db, p.id),
      refunds: (p) => services.payments.refunds.ofPayment(services.db, p.id),
    },
    ScheduledPayment: {
      frequency: (s) => s.schedule.frequency,
      kind: (s) => s.payment.kind,
      amount: (s) => money(s.amount, s.currency),
      counterparty: (s) => ({ name: s.counterpartyName }),
      description: (s) => (s.payment.description ?? '').trim(),
      timeZone: (s) => s.schedule.timeZone,
      timeOfDay: (s) => s.schedule.timeOfDay,
      lastPayment: (s) => (s.lastPaymentId ? services.payments.store.get(services.db, s.lastPaymentId) : null),
    },
    PaymentRefund: {
      amount: (r) => money(r.amount, r.currency),
    },
    PaymentHistoryEntry: {
      actor: (e) => actorKind(e.actor),
    },
    PaymentConnection: {
      edges: (page) => page.items.map((node) => ({ cursor: encodeCursor(node), node })),
      pageInfo: (page) => ({
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.items.length ? encodeCursor(page.items[0]) : null,
        endCursor: page.items.length ? encodeCursor(page.items[page.items.length - 1]) : null,
      }),
    },
    PaymentLimits: {
      perPayment: (l) => money(l.perPayment, l.currency),
      usedToday: (l) => money(l.usedToday, l.currency),
      remainingToday: (l) => money(l.remainingToday, l.currency),
      usedThisMonth: (l) => money(l.usedThisMonth, l.currency),
      remainingThisMonth: (l) => money(l.remainingThisMonth, l.currency),
      nextPaymentMax: (l) => money(l.nextPaymentMax, l.currency),
    },
    Money: {
      amount: (m) => formatDecimal(m.amount, m.currency),
    },
    User: {
      scheduledPayments: (user, _args, ctx) => {
        if (viewerOf(ctx).userId !== user.id) throw errors.forbidden('Only the user may see their scheduled payments.');
        return services.scheduled.list(user.id);
      },
      paymentLimits: async (user, { currency }, ctx) => {
        const viewer = viewerOf(ctx);
        if (viewer.userId !== user.id) throw errors.forbidden('Only the user may see their payment limits.');
        const tier = await services.tiers.tierOf(services.db, user.id);
        return services.limits.summary(services.db, user.id, tier, (currency ?? 'GBP') as CurrencyCode);
      },
    },
  };
  return mergeResolvers(resolvers, savedDestinationResolvers(services.destinations, services.payments.stepUp.maxAgeSeconds));
}

export type { PaymentRecord };
