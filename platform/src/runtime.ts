/** A server built by a `createXServer` factory: a Fastify app, not yet listening, and how to stop it. */
export interface MeridianServer {
  name: string;
  app: import('fastify').FastifyInstance;
  /** A public server's `/metrics`, on an internal port of its own (the BFFs); internal servers serve metrics on `app`. */
  metricsApp?: import('fastify').FastifyInstance;
  /** The registry behind `metricsApp`: what each worker of a clustered server hands to the primary, which serves the sum. */
  registry?: import('prom-client').Registry;
  /** Stops the app and releases what the server owns (not what was passed in). */
  close(): Promise<void>;
}

/** Puts a server on its port, and its metrics server, if it has one, on `metricsPort`. */
export async function listenServer(server: MeridianServer, options: { host: string; port: number; metricsPort?: number }): Promise<void> {
  await server.app.listen({ port: options.port, host: options.host });
  if (server.metricsApp) {
    if (options.metricsPort === undefined) throw new Error(`${server.name} serves metrics on a port of its own; give metricsPort`);
    await server.metricsApp.listen({ port: options.metricsPort, host: options.host });
  }
}
