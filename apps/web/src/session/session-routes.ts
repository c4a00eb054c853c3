import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { rootRoute } from '../routes/root-route';
import { safeRedirect } from './safe-redirect';
import { sessionQueryOptions } from './session-query';

const token = (search: Record<string, unknown>): { token?: string } => (typeof search.token === 'string' && search.token ? { token: search.token } : {});

/** Sign-in; already signed in, straight on to `?redirect=`. */
export const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => (typeof search.redirect === 'string' ? { redirect: search.redirect } : {}),
  beforeLoad: async ({ context, search }) => {
    if (await context.queryClient.ensureQueryData(sessionQueryOptions(context.api))) throw redirect({ href: safeRedirect(search.redirect) });
  },
  component: lazyRouteComponent(() => import('./sign-in-screen'), 'SignInScreen'),
});

export const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/forgot-password',
  component: lazyRouteComponent(() => import('./forgot-password-screen'), 'ForgotPasswordScreen'),
});

/** The link in the verification email. */
export const verifyEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/verify-email',
  validateSearch: token,
  component: lazyRouteComponent(() => import('./verify-email-screen'), 'VerifyEmailScreen'),
});

/** The link in the password-reset email. */
export const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reset-password',
  validateSearch: token,
  component: lazyRouteComponent(() => import('./reset-password-screen'), 'ResetPasswordScreen'),
});

/** The pages that need no session. */
export const publicRoutes = [signInRoute, forgotPasswordRoute, verifyEmailRoute, resetPasswordRoute] as const;
