import { isMeridianError } from '@meridian/client';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';

/**
 * The app's TanStack Query client: any call answered UNAUTHENTICATED calls
 * `onUnauthenticated` (the session is over); only failures that sent nothing
 * or that the API asks to retry are retried, and never a mutation.
 */
export function createAppQueryClient(onUnauthenticated: () => void): QueryClient {
  const onError = (error: unknown) => {
    if (isMeridianError(error, 'UNAUTHENTICATED')) onUnauthenticated();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failures, error) => failures < 2 && isMeridianError(error, 'NETWORK_ERROR', 'SERVICE_UNAVAILABLE', 'BAD_RESPONSE'),
      },
      mutations: { retry: false },
    },
  });
}
