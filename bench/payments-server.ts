// One server of the payments benchmark in a process of its own, started by bench/payments-stack.ts:
// `node --import tsx bench/payments-server.ts <role>` with the whole configuration in the
// environment. It builds the server as its own main.ts would, listens on the port the
// environment names (0: any free one), tells the parent where over IPC, and closes on
// SIGTERM or when the parent goes away. Nothing here is a benchmark: the load and every
// measurement come from outside the process.
import { createBankingServer, loadBankingConfig } from '@meridian/banking';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';
import { createIdentityServer, loadIdentityConfig } from '@meridian/identity';
import { createPaymentsServer, loadPaymentsConfig } from '@meridian/payments';
import { listenServer, loadBaseConfig, openEventBus, type EventBus, type MeridianServer } from '@meridian/platform';
import { createGatewayServer, loadGatewayConfig } from '@meridian/supergraph';
import type { AddressInfo } from 'node:net';

// Only types leave this file (imported with `import type`): importing it would start a server.
const ROLES = ['identity', 'banking', 'payments', 'gateway', 'bff-mobile'] as const;
/** The servers the benchmark runs, each in its own process. */
export type Role = (typeof ROLES)[number];

/** What a server process tells the parent once it listens. */
export interface ReadyMessage {
  type: 'ready';
  role: Role;
  port: number;
  /** The mobile BFF's internal metrics port; the others serve /metrics on `port`. */
  metricsPort?: number;
}

function portOf(app: MeridianServer['app']): number {
  return (app.server.address() as AddressInfo).port;
}

/**
 * The bus of banking and payments, under the run's own key prefix (BENCH_EVENT_PREFIX), so
 * the outbox relays publish as in production without writing into the streams other work
 * on the same Redis reads.
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
    case 'payments': {
      const bus = await benchEventBus();
      const config = loadPaymentsConfig();
      return { server: await createPaymentsServer(config, { databaseUrl, eventBus: bus }), port: config.PAYMENTS_PORT, bus };
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
  if (!process.send) throw new Error('payments-server.ts runs as a child of bench/payments.ts (it reports over IPC)');
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
