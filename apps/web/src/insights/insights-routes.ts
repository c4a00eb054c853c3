import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { signedInRoute } from '../routes/signed-in-route';
import { readCashFlowSearch } from './cash-flow-search';
import { readSpendingSearch } from './insights-period';

/** `/insights` opens where the money went. */
export const insightsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/insights',
  beforeLoad: () => {
    throw redirect({ to: '/insights/spending' });
  },
});

/** Spending by category over a period; `?period=&from=&to=&currency=` keep the choice in the address. */
export const spendingRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/insights/spending',
  validateSearch: readSpendingSearch,
  component: lazyRouteComponent(() => import('./spending-screen'), 'SpendingScreen'),
});

/** Money in and out per month and the next 30 days; `?months=&currency=`. */
export const cashFlowRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/insights/cash-flow',
  validateSearch: readCashFlowSearch,
  component: lazyRouteComponent(() => import('./cash-flow-screen'), 'CashFlowScreen'),
});

export const budgetsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/insights/budgets',
  component: lazyRouteComponent(() => import('./budgets-screen'), 'BudgetsScreen'),
});

export const recurringRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/insights/recurring',
  component: lazyRouteComponent(() => import('./recurring-screen'), 'RecurringScreen'),
});

export const goalsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/insights/goals',
  component: lazyRouteComponent(() => import('./goals-screen'), 'GoalsScreen'),
});

export const alertsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/insights/alerts',
  component: lazyRouteComponent(() => import('./alerts-screen'), 'AlertsScreen'),
});

export const insightsRoutes = [insightsRoute, spendingRoute, cashFlowRoute, budgetsRoute, recurringRoute, goalsRoute, alertsRoute] as const;
