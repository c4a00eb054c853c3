import cluster from 'node:cluster';
import type { BaseConfig } from '../config';
import { openDatabase } from '../db';
import { createLogger, type Logger } from '../logger';
import { listenServer, type MeridianServer } from '../runtime';
import { startTelemetry } from '../telemetry';
import { runClustered, shareMetricsWithPrimary } from './run-clustered';
import { closeOnSignals } from './shutdown';

/** What {@link runMain} needs to start one server as its own process. */
export interface MainOptions<C extends BaseConfig> {
  /** Reads and checks the environment. */
  config: () => C;
  /** Where it listens: its port, and for a public server its internal metrics port. */
  ports: (config: C) => { port: number; metricsPort?: number };
  /** Opens the database (DATABASE_URL, else the embedded one) and hands its URL to `create`. */
  database?: boolean;
  /** Builds the server, not listening. */
  create: (config: C, context: { logger: Logger; databaseUrl: string }) => Promise<MeridianServer>;
  /**
   * How many processes serve (may throw to refuse the configuration); default 1. More than one
   * needs a metrics port: see {@link runClustered}.
   */
  workers?: (config: C) => number;
}

/**
 * The whole of a server's `src/main.ts`: configuration, telemetry, logger,
 * database when it has one, the server, listening, and a graceful stop on
 * SIGTERM/SIGINT (server first, then the database, then telemetry). A failure
 * to start prints its message and exits 1. With more than one worker, this
 * process becomes the cluster's primary and every worker runs the rest.
 */
export function runMain<C extends BaseConfig>(name: string, options: MainOptions<C>): void {
  const main = async () => {
    const config = options.config();
    const workers = options.workers?.(config) ?? 1;
    const { port, metricsPort } = options.ports(config);
    if (workers > 1 && cluster.isPrimary) {
      // Each worker would otherwise answer /metrics on the shared port for itself alone, a different one per scrape.
      if (metricsPort === undefined) throw new Error(`${name} cannot run more than one worker: it has no metrics port of its own for the primary`);
      if (options.database && !config.DATABASE_URL) throw new Error(`${name} cannot run more than one worker on the embedded database: set DATABASE_URL`);
      const logger = createLogger({ service: name, level: config.LOG_LEVEL });
      const primary = await runClustered({ workers, logger, metrics: { host: config.HOST, port: metricsPort } });
      // Past the workers' own drain and the primary's wait for them.
      closeOnSignals(logger, [primary.stop], 20_000);
      return;
    }
    // Started already by the server's first import (startTelemetryEarly); this returns its stop.
    const stopTelemetry = startTelemetry(name, config);
    const logger = createLogger({ service: name, level: config.LOG_LEVEL });
    const database = options.database ? await openDatabase(config) : undefined;
    const server = await options.create(config, { logger, databaseUrl: database?.url ?? '' });
    const closers = [server.close, ...(database ? [database.stop] : []), stopTelemetry];
    if (cluster.isWorker) {
      if (!server.registry) throw new Error(`${name} has no metrics registry to hand to the cluster's primary`);
      await server.app.listen({ port, host: config.HOST });
      shareMetricsWithPrimary(server.registry);
      // Ctrl-C reaches every process of the terminal's group: a worker waits for the primary's SIGTERM
      // instead, since a second signal would cut its drain short.
      process.on('SIGINT', () => {});
      closeOnSignals(logger, closers, undefined, ['SIGTERM']);
      return;
    }
    await listenServer(server, { host: config.HOST, port, metricsPort });
    closeOnSignals(logger, closers);
  };
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
