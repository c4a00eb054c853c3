import type { BaseConfig } from '../config';
import { openDatabase } from '../db';
import { createLogger, type Logger } from '../logger';
import { listenServer, type MeridianServer } from '../runtime';
import { startTelemetry } from '../telemetry';
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
}

/**
 * The whole of a server's `src/main.ts`: configuration, telemetry, logger,
 * database when it has one, the server, listening, and a graceful stop on
 * SIGTERM/SIGINT (server first, then the database, then telemetry). A failure
 * to start prints its message and exits 1.
 */
export function runMain<C extends BaseConfig>(name: string, options: MainOptions<C>): void {
  const main = async () => {
    const config = options.config();
    const stopTelemetry = startTelemetry(name, config.OTEL_EXPORTER_OTLP_ENDPOINT);
    const logger = createLogger({ service: name, level: config.LOG_LEVEL });
    const database = options.database ? await openDatabase(config) : undefined;
    const server = await options.create(config, { logger, databaseUrl: database?.url ?? '' });
    await listenServer(server, { host: config.HOST, ...options.ports(config) });
    closeOnSignals(logger, [server.close, ...(database ? [database.stop] : []), stopTelemetry]);
  };
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
