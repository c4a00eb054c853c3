import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { BffContext } from './bff-context';

/** A GraphQL request the BFF runs on its own behalf. */
export interface BffOperation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** The HTTP answer to a {@link BffOperation}: what a client would have received. */
export interface BffOperationResult {
  status: number;
  headers: Map<string, string>;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> };
}

/** Lets client-specific routes run operations through the full pipeline (limits, rate limits, gateway). */
export interface BffHandle {
  execute(operation: BffOperation, context: BffContext): Promise<BffOperationResult>;
}

/** Runs an operation as an HTTP POST through Apollo, so status codes and headers are the client-facing ones. */
export async function executeOperation(apollo: ApolloServer<BffContext>, operation: BffOperation, context: BffContext): Promise<BffOperationResult> {
  const headers = new HeaderMap([
    ['content-type', 'application/json'],
    ['accept', 'application/json'],
  ]);
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: operation },
    context: async () => context,
  });
  let text = '';
  if (response.body.kind === 'complete') text = response.body.string;
  else for await (const chunk of response.body.asyncIterator) text += chunk;
  return { status: response.status ?? 200, headers: new Map(response.headers), body: JSON.parse(text) };
}
