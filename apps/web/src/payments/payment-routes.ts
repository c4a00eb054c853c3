import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { signedInRoute } from '../routes/signed-in-route';

/** One id from the address, or nothing. */
const idParam = (value: unknown): string | undefined => (typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : undefined);

/** The payments made and received, newest first, each opening its receipt. */
export const paymentsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/payments',
  component: lazyRouteComponent(() => import('./payments-screen'), 'PaymentsScreen'),
});

/** Paying someone; `?payee=<id>` or `?biller=<id>` starts with that saved payee or biller. */
export const payRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/payments/pay',
  validateSearch: (search: Record<string, unknown>): { payee?: string; biller?: string } => {
    const payee = idParam(search.payee);
    const biller = idParam(search.biller);
    return payee ? { payee } : biller ? { biller } : {};
  },
  component: lazyRouteComponent(() => import('./pay-screen'), 'PayScreen'),
});

export const payeesRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/payments/payees',
  component: lazyRouteComponent(() => import('./payees-screen'), 'PayeesScreen'),
});

export const scheduledPaymentsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/payments/scheduled',
  component: lazyRouteComponent(() => import('./scheduled-payments-screen'), 'ScheduledPaymentsScreen'),
});

export const cardsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/payments/cards',
  component: lazyRouteComponent(() => import('./cards-screen'), 'CardsScreen'),
});

export const limitsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/payments/limits',
  component: lazyRouteComponent(() => import('./limits-screen'), 'LimitsScreen'),
});

/** A payment's receipt with its history, printable. */
export const receiptRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/payments/$paymentId',
  component: lazyRouteComponent(() => import('./receipt-screen'), 'ReceiptScreen'),
});

export const paymentRoutes = [paymentsRoute, payRoute, payeesRoute, scheduledPaymentsRoute, cardsRoute, limitsRoute, receiptRoute] as const;
