// The SQL statements a benchmark server process sends to PostgreSQL, counted at the pg client:
// every `query()` of every pg client in the process (TypeORM's pools, the job queue's pool).
// While attribution is on, each statement is also counted as part of the HTTP request whose
// handling sent it, or as background work (outbox relays, event consumers, workers) otherwise:
// the request is followed with AsyncLocalStorage from the server's 'request' event, so a
// statement sent by a DataLoader batch, after a wait for a pooled connection or inside a
// transaction still counts for the request that caused it. Following every promise costs CPU
// (Node 20's AsyncLocalStorage runs a hook on each), so attribution is switched on only where
// exact counts matter and off while throughput is measured. Health checks and metrics scrapes
// are not requests here. Installed by bench/payments-server.ts when BENCH_COUNT_STATEMENTS=1;
// nothing in the servers knows about it.
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import pg from 'pg';

/** Statements sent so far, in all. */
export interface StatementCounts {
  /** Every statement, attributed or not. */
  all: number;
  /** Sent while handling an HTTP request (GraphQL, internal APIs), while attribution was on. */
  request: number;
  /** Of those, BEGIN, COMMIT, ROLLBACK and SAVEPOINT statements. */
  requestTransactionControl: number;
  /** Sent by nothing that answers a request (relays, consumers, workers), while attribution was on. */
  background: number;
  /** HTTP requests answered (health checks and metrics scrapes left out). */
  requests: number;
}

const inRequest = new AsyncLocalStorage<true>();
const counts: StatementCounts = { all: 0, request: 0, requestTransactionControl: 0, background: 0, requests: 0 };
const TRANSACTION_CONTROL = /^\s*(BEGIN|START TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
let installed = false;
let attributing = false;

function isProbe(url: string | undefined): boolean {
  return url === undefined || url.startsWith('/health/') || url.startsWith('/metrics');
}

/** Starts counting in this process (once), attribution off; read the counts with {@link statementCounts}. */
export function countStatements(): void {
  if (installed) return;
  installed = true;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    counts.all += 1;
    if (attributing) {
      if (inRequest.getStore()) {
        counts.request += 1;
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text;
        if (typeof text === 'string' && TRANSACTION_CONTROL.test(text)) counts.requestTransactionControl += 1;
      } else {
        counts.background += 1;
      }
    }
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function countedEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request' || isProbe((args[0] as http.IncomingMessage).url)) return emit.call(this, event, ...args);
    counts.requests += 1;
    return attributing ? inRequest.run(true, () => emit.call(this, event, ...args)) : emit.call(this, event, ...args);
  };
}

/**
 * Switches attribution on or off. Off, AsyncLocalStorage is disabled (its hook with it, when
 * nothing else in the process uses one). Requests in flight when it changes count as they
 * started or as background: switch it with nothing in flight.
 */
export function attributeStatements(on: boolean): void {
  if (on === attributing) return;
  attributing = on;
  if (!on) inRequest.disable();
}

/** The counts so far. */
export function statementCounts(): StatementCounts {
  return { ...counts };
}
