import { queryOptions } from '@tanstack/react-query';
import { MeDocument, type MeQuery } from '@meridian/client/web';
import type { MeridianApi } from '../api/meridian-api';
import { meridianQueryKey } from '../api/use-meridian';
import type { RouterContext } from '../routes/root-route';

/** The cache key of the browser's session (`GET /auth/session`). */
export const SESSION_QUERY_KEY = ['auth', 'session'] as const;

/** Whether this browser is signed in: the session, or null. Checked again when the window regains focus. */
export function sessionQueryOptions(api: MeridianApi) {
  return queryOptions({
    queryKey: SESSION_QUERY_KEY,
    queryFn: () => api.auth.session(),
    staleTime: 60_000,
    refetchOnWindowFocus: true,
    retry: 1,
  });
}

/** The signed-in user, from the cache the layout's `me` query fills (one request for both). */
export function ensureMe(context: RouterContext): Promise<MeQuery> {
  return context.queryClient.ensureQueryData({
    queryKey: meridianQueryKey(MeDocument, {}),
    queryFn: () => context.api.graphql.request(MeDocument, {}),
    staleTime: 60_000,
  });
}
