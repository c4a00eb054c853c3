import { closeOnSignals, createLogger, openDatabase, startTelemetry } from '@meridian/platform';
import { loadBankingConfig } from './config';
import { createBankingServer } from './server';

async function main(): Promise<void> {
  const config = loadBankingConfig();
  const stopTelemetry = startTelemetry('banking', config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const logger = createLogger({ service: 'banking', level: config.LOG_LEVEL });
  const database = await openDatabase(config);
  const server = await createBankingServer(config, { databaseUrl: database.url, logger });
  await server.app.listen({ port: config.BANKING_PORT, host: config.HOST });
  closeOnSignals(logger, [server.close, database.stop, stopTelemetry]);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
