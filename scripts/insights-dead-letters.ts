// `npm run insights:dead-letters`: lists the events insights could not apply, parked in
// `ledger.events.dlq` and `payments.events.dlq` after INSIGHTS_MAX_ATTEMPTS deliveries, with the
// group, the attempts and the last error. Reads REDIS_URL's streams (services mode); the embedded
// mode's in-process bus lives and dies with `npm start`, whose log records each parked event.
// Options: --limit=N per stream (default 50), --json.
import { createLogger, loadBaseConfig, openEventBus } from '@meridian/platform';

const STREAMS = ['ledger.events', 'payments.events'];

async function main(): Promise<number> {
  const base = loadBaseConfig();
  const limit = Number(process.argv.find((a) => a.startsWith('--limit='))?.split('=')[1] ?? 50);
  if (!base.REDIS_URL) {
    console.log('No REDIS_URL: the embedded event bus keeps dead letters in the running process only; its log names each parked event.');
    return 0;
  }
  const bus = await openEventBus(base, { logger: createLogger({ service: 'insights-dead-letters', level: 'warn' }) });
  try {
    const parked = Object.fromEntries(await Promise.all(STREAMS.map(async (stream) => [stream, await bus.deadLetters(stream, limit)] as const)));
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(parked, null, 2));
      return 0;
    }
    for (const [stream, events] of Object.entries(parked)) {
      console.log(`${stream}.dlq: ${events.length === 0 ? 'empty' : `${events.length} event(s)`}`);
      for (const e of events) {
        console.log(`  ${e.deadLetter?.parkedAt.toISOString()}  ${e.type}  id ${e.id}  group ${e.deadLetter?.group}  after ${e.deadLetter?.attempts} attempts: ${e.deadLetter?.error}`);
      }
    }
    return 0;
  } finally {
    await bus.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
