import type { ApolloServer, BaseContext } from '@apollo/server';
import { fastifyApolloHandler, type ApolloFastifyContextFunction } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';

/** Options for {@link mountApollo}. */
export interface MountApolloOptions<C extends BaseContext> {
  /** Route path; default `/graphql`. */
  path?: string;
  /** Accept GET for queries (GraphQL over HTTP); default true. */
  allowGet?: boolean;
  /** On an internal server: the services whose tokens may call this route; default every trusted service. */
  serviceCallers?: readonly string[];
  context: ApolloFastifyContextFunction<C>;
}

/** Serves a started ApolloServer on a Fastify route. */
export function mountApollo<C extends BaseContext>(
  app: FastifyInstance,
  apollo: ApolloServer<C>,
  options: MountApolloOptions<C>,
): void {
  const methods: ('GET' | 'POST')[] = options.allowGet === false ? ['POST'] : ['GET', 'POST'];
  app.route({
    method: methods,
    url: options.path ?? '/graphql',
    ...(options.serviceCallers ? { config: { serviceCallers: options.serviceCallers } } : {}),
    handler: fastifyApolloHandler(apollo, { context: options.context }),
  });
}
