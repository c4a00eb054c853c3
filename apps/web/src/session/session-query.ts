import { queryOptions } from '@tanstack/react-query';
import type { MeridianApi } from '../api/meridian-api';

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
