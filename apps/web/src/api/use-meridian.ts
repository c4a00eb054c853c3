import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { stepUpChallengeOf, type MeridianError, type RequestArgs, type RequestOptions } from '@meridian/client';
import { useInfiniteQuery, useMutation, useQuery, type InfiniteData, type UseMutationOptions, type UseQueryOptions } from '@tanstack/react-query';
import { useApi } from './api-context';
import { useStepUp } from '../session/step-up-context';

/** A generated document of `@meridian/client/web`. */
export type MeridianDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables>;

/** The operation's name, read from the document's text (`query Accounts(...)` → `Accounts`). */
export function operationName(document: MeridianDocument<unknown, never>): string {
  const match = /\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(String(document));
  if (!match) throw new TypeError('This document has no named operation: use a generated document from @meridian/client/web');
  return match[1];
}

/** The TanStack Query key of an operation with its variables; `[name]` alone matches every variant (for invalidation). */
export function meridianQueryKey<TVariables>(document: MeridianDocument<unknown, TVariables>, variables?: TVariables): readonly unknown[] {
  const name = operationName(document as MeridianDocument<unknown, never>);
  return variables === undefined ? [name] : [name, variables];
}

/**
 * Runs a query document through TanStack Query: cached per operation and
 * variables, failing with a MeridianError whose `code` the screen reads.
 */
export function useMeridianQuery<TResult, TVariables>(
  document: MeridianDocument<TResult, TVariables>,
  variables: TVariables,
  options: Omit<UseQueryOptions<TResult, MeridianError>, 'queryKey' | 'queryFn'> = {},
) {
  const api = useApi();
  return useQuery<TResult, MeridianError>({
    ...options,
    queryKey: meridianQueryKey(document, variables),
    queryFn: ({ signal }) => api.graphql.request(document, ...([variables, { signal }] as unknown as RequestArgs<TVariables>)),
  });
}

/** Options of {@link useMeridianMutation}: TanStack's, plus per-call request options (e.g. an idempotency key). */
export type MeridianMutationOptions<TResult, TVariables> = Omit<UseMutationOptions<TResult, MeridianError, TVariables>, 'mutationFn'> & {
  /** Request options for one call, from its variables (e.g. `{ idempotencyKey }`). */
  requestOptions?: (variables: TVariables) => RequestOptions;
};

/**
 * Runs a mutation document. When the API answers STEP_UP_REQUIRED, the
 * step-up dialog asks for a second factor and the same request (same
 * variables, same idempotency key) is sent once more; if the person cancels,
 * the original refusal stands.
 */
export function useMeridianMutation<TResult, TVariables>(
  document: MeridianDocument<TResult, TVariables>,
  options: MeridianMutationOptions<TResult, TVariables> = {},
) {
  const api = useApi();
  const stepUp = useStepUp();
  const { requestOptions, ...mutationOptions } = options;
  return useMutation<TResult, MeridianError, TVariables>({
    ...mutationOptions,
    mutationFn: async (variables) => {
      const send = () => api.graphql.request(document, ...([variables, requestOptions?.(variables)] as unknown as RequestArgs<TVariables>));
      try {
        return await send();
      } catch (err) {
        const challenge = stepUpChallengeOf(err);
        if (!challenge || !stepUp || !(await stepUp(challenge))) throw err;
        return send();
      }
    },
  });
}

/**
 * A Relay connection read page by page (infinite scroll): `variables` without
 * `after`; `nextCursor` reads a page's `endCursor` when `hasNextPage`.
 */
export function useMeridianInfiniteQuery<TResult, TVariables extends { after?: string | null }>(
  document: MeridianDocument<TResult, TVariables>,
  variables: Omit<TVariables, 'after'>,
  nextCursor: (page: TResult) => string | null | undefined,
  options: { enabled?: boolean } = {},
) {
  const api = useApi();
  return useInfiniteQuery<TResult, MeridianError, InfiniteData<TResult>, readonly unknown[], string | undefined>({
    enabled: options.enabled,
    // Apart from the plain query's key, so the two never share a cache entry; `[name]` still matches both.
    queryKey: [...meridianQueryKey(document, variables as TVariables), 'pages'],
    initialPageParam: undefined,
    queryFn: ({ pageParam, signal }) =>
      api.graphql.request(document, ...([{ ...variables, after: pageParam }, { signal }] as unknown as RequestArgs<TVariables>)),
    getNextPageParam: (page) => nextCursor(page) ?? undefined,
  });
}
