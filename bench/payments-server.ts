// One server of the payments and Meridian gateway benchmarks in a process of its own, started by
// bench/payments-stack.ts: `node --import tsx bench/payments-server.ts <role>` with the whole
// configuration in the environment. It builds the server as its own main.ts would, listens on
// the port the environment names (0: any free one), tells the parent where over IPC, and closes
// on SIGTERM or when the parent goes away. Nothing here is a benchmark: the load and every
// measurement come from outside the process, except the SQL statement counts
// (bench/statement-counter.ts, with BENCH_COUNT_STATEMENTS=1), answered over IPC when asked.
import { createBankingServer, loadBankingConfig } from '@meridian/banking';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';
import { createIdentityServer, loadIdentityConfig } from '@meridian/identity';
import { createInsightsServer, loadInsightsConfig } from '@meridian/insights';
import { createKycServer, loadKycConfig } from '@meridian/kyc';
import { createPaymentsServer, loadPaymentsConfig } from '@meridian/payments';
import { listenServer, loadBaseConfig, openEventBus, type EventBus, type MeridianServer } from '@meridian/platform';
import { createGatewayServer, loadGatewayConfig } from '@meridian/supergraph';
import type { AddressInfo } from 'node:net';
import type { ReadyMessage } from './bench-process';
import { attributeStatements, countStatements, statementCounts, type StatementCounts } from './statement-counter';

// Only types leave this file (imported with `import type`): importing it would start a server.
const ROLES = ['identity', 'banking', 'kyc', 'payments', 'insights', 'gateway', 'bff-mobile'] as const;
/** The servers the benchmarks run, each in its own process. */
export type Role = (typeof ROLES)[number];

/** What a server process tells the parent once it listens. */
/** What the parent sends to read the statement counts, switching attribution first when `attribute` is given; the answer is a {@link StatementsMessage}. */
export interface StatementsRequest {
  type: 'statements';
  attribute?: boolean;
}

/** The statement counts so far; all zero unless the process runs with BENCH_COUNT_STATEMENTS=1. */
export interface StatementsMessage extends StatementCounts {
  type: 'statements';
}

function portOf(app: MeridianServer['app']): number {
  return (app.server.address() as AddressInfo).port;
}

/**
 * The bus of banking, KYC, payments and insights, under the run's own key prefix
 * (BENCH_EVENT_PREFIX), so the outbox relays publish and insights consumes as in production
 * without touching the streams other work on the same Redis reads.
 */
function benchEventBus(): Promise<EventBus> {
  return openEventBus(loadBaseConfig(), { keyPrefix: process.env.BENCH_EVENT_PREFIX });
}

async function build(role: Role): Promise<{ server: MeridianServer; port: number; metricsPort?: number; bus?: EventBus }> {
  const databaseUrl = process.env.DATABASE_URL ?? '';
  switch (role) {
    case 'identity': {
      const config = loadIdentityConfig();
      return { server: await createIdentityServer(config, { databaseUrl }), port: config.IDENTITY_PORT };
    }
    case 'banking': {
      const bus = await benchEventBus();
      const config = loadBankingConfig();
      return { server: await createBankingServer(config, { databaseUrl, eventBus: bus }), port: config.BANKING_PORT, bus };
    }
    case 'kyc': {
      const bus = await benchEventBus();
      const config = loadKycConfig();
      return { server: await createKycServer(config, { databaseUrl, eventBus: bus }), port: config.KYC_PORT, bus };
    }
    case 'payments': {
      const bus = await benchEventBus();
      const config = loadPaymentsConfig();
      return { server: await createPaymentsServer(config, { databaseUrl, eventBus: bus }), port: config.PAYMENTS_PORT, bus };
    }
    case 'insights': {
      const bus = await benchEventBus();
      const config = loadInsightsConfig();
      return { server: await createInsightsServer(config, { databaseUrl, eventBus: bus }), port: config.INSIGHTS_PORT, bus };
    }
    case 'gateway': {
      const config = loadGatewayConfig();
      return { server: await createGatewayServer(config), port: config.GATEWAY_PORT };
    }
    case 'bff-mobile': {
      const config = loadMobileBffConfig();
      return { server: await createMobileBffServer(config), port: config.MOBILE_BFF_PORT, metricsPort: config.MOBILE_BFF_METRICS_PORT };
    }
  }
}

async function main(): Promise<void> {
  const role = process.argv[2] as Role;
  if (!ROLES.includes(role)) throw new Error(`usage: payments-server.ts <${ROLES.join('|')}>`);
  if (!process.send) throw new Error('payments-server.ts runs as a child of a benchmark (it reports over IPC)');
  if (process.env.BENCH_COUNT_STATEMENTS === '1') countStatements();
  process.on('message', (message: StatementsRequest) => {
    if (message?.type !== 'statements') return;
    if (message.attribute !== undefined) attributeStatements(message.attribute);
    process.send?.({ type: 'statements', ...statementCounts() } satisfies StatementsMessage);
  });
  const { server, port, metricsPort, bus } = await build(role);
  await listenServer(server, { host: '127.0.0.1', port, metricsPort });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await server.close().catch(() => undefined);
      await bus?.close().catch(() => undefined);
      process.exit(0);
    })());
  process.on('SIGTERM', () => void close());
  process.on('disconnect', () => void close());
  const ready: ReadyMessage = { type: 'ready', role, port: portOf(server.app), metricsPort: server.metricsApp ? portOf(server.metricsApp) : undefined };
  process.send(ready);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
