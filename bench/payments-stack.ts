// The servers of the payments and Meridian gateway benchmarks, each in a process of its own
// (bench/payments-server.ts), configured as a production deployment is: NODE_ENV=production,
// each signing service with its own key, every verifier with the public set, the mobile BFF
// running trusted documents only, PostgreSQL and Redis for real.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { KeyEnv } from '../deploy/key-env';
import { forkServer } from './bench-process';
import type { Role, StatementsMessage, StatementsRequest } from './payments-server';
import type { StatementCounts } from './statement-counter';

/**
 * Where a server that is not started would be: nothing listens there. The payments benchmark
 * starts no KYC: payments asks it only for a tier its projection lacks, and its payers have one.
 * Notifications (emails, phone codes) go here too: the benchmarks send none a customer waits for.
 */
const NOWHERE = 'http://127.0.0.1:9';

/** What the servers of one run share. */
export interface StackSettings {
  /** The run's own database. */
  databaseUrl: string;
  redisUrl: string;
  /** The deployment's keys, as deploy/generate-keys.ts makes them. */
  keys: KeyEnv;
  /** Prefix of every Redis key the run writes (rate limits, event streams), removed afterwards. */
  redisPrefix: string;
  /** A directory of the run's own: DATA_DIR, the object store and the servers' logs. */
  dir: string;
  /** The servers' LOG_LEVEL. */
  logLevel: string;
  /** Servers to run under V8's sampling profiler (`--cpu-prof`): each thread's profile is written to `dir` as CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile when it stops. */
  profile?: readonly Role[];
  /** Count the SQL statements each server sends (bench/statement-counter.ts), read with {@link RunningServer.statements}; default off. */
  countStatements?: boolean;
  /** Settings every server gets on top of the production ones (e.g. the BFF's budgets). */
  extraEnv?: Record<string, string>;
}

/** A server process that listens. */
export interface RunningServer {
  role: Role;
  pid: number;
  /** Its base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  /** Where its Prometheus metrics are read. */
  metricsUrl: string;
  /** Its stdout and stderr. */
  log: string;
  /** The SQL statements it has sent so far (all zero unless the stack counts them), switching their attribution to requests on or off first when `attribute` is given. */
  statements(attribute?: boolean): Promise<StatementCounts>;
}

/** The running servers and how to stop them. */
export interface PaymentsStack {
  servers: Partial<Record<Role, RunningServer>>;
  stop(): Promise<void>;
}

/** The environment every server of the run gets, before its role's own settings. */
export function sharedEnv(settings: StackSettings): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: settings.logLevel,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    DATA_DIR: path.join(settings.dir, 'data'),
    OBJECT_STORE_DIR: path.join(settings.dir, 'objects'),
    HOST: '127.0.0.1',
    SERVICE_TRUSTED_KEYS: settings.keys.SERVICE_TRUSTED_KEYS,
    DATA_PROTECTION_KEYS: settings.keys.DATA_PROTECTION_KEYS,
    MIGRATE_ON_START: 'false',
    RATE_LIMIT_KEY_PREFIX: settings.redisPrefix,
    BENCH_EVENT_PREFIX: settings.redisPrefix,
    NOTIFICATIONS: 'webhook',
    NOTIFICATIONS_WEBHOOK_URL: `${NOWHERE}/notifications`,
    NOTIFICATIONS_WEBHOOK_SECRET: settings.keys.NOTIFICATIONS_WEBHOOK_SECRET,
    ...(settings.countStatements ? { BENCH_COUNT_STATEMENTS: '1' } : {}),
    ...settings.extraEnv,
  };
}

/** Each role's own settings, given where the servers started before it listen. */
export function roleEnv(role: Role, settings: StackSettings, started: Partial<Record<Role, RunningServer>>): Record<string, string> {
  const identity = started.identity?.url ?? NOWHERE;
  const graph = {
    IDENTITY_URL: `${identity}/graphql`,
    BANKING_URL: `${started.banking?.url ?? NOWHERE}/graphql`,
    KYC_URL: `${started.kyc?.url ?? NOWHERE}/graphql`,
    PAYMENTS_URL: `${started.payments?.url ?? NOWHERE}/graphql`,
    INSIGHTS_URL: `${started.insights?.url ?? NOWHERE}/graphql`,
  };
  const jwks = { IDENTITY_JWKS_URL: `${identity}/.well-known/jwks.json` };
  switch (role) {
    case 'identity':
      // The links in verification and reset emails would lead to the web dashboard; the benchmarks send none.
      return { IDENTITY_PORT: '0', IDENTITY_SIGNING_KEYS: settings.keys.IDENTITY_SIGNING_KEYS, IDENTITY_PUBLIC_WEB_URL: 'http://127.0.0.1:4000' };
    case 'banking':
      return { ...jwks, BANKING_PORT: '0' };
    case 'kyc':
      return {
        ...jwks,
        KYC_PORT: '0',
        KYC_PROVIDER: 'simulated',
        KYC_WEBHOOK_SECRETS: settings.keys.KYC_WEBHOOK_SECRETS,
        KYC_SANCTIONS_LIST_DIR: path.resolve(__dirname, '..', 'subgraphs', 'kyc', 'data', 'sanctions', 'sample'),
      };
    case 'payments':
      return {
        ...jwks,
        PAYMENTS_PORT: '0',
        SERVICE_SIGNING_KEYS: settings.keys.PAYMENTS_SERVICE_SIGNING_KEYS,
        PAYMENTS_WEBHOOK_SECRETS: settings.keys.PAYMENTS_WEBHOOK_SECRETS,
        BANKING_INTERNAL_URL: started.banking?.url ?? NOWHERE,
        IDENTITY_INTERNAL_URL: identity,
        KYC_INTERNAL_URL: started.kyc?.url ?? NOWHERE,
      };
    case 'insights':
      return {
        ...jwks,
        INSIGHTS_PORT: '0',
        SERVICE_SIGNING_KEYS: settings.keys.INSIGHTS_SERVICE_SIGNING_KEYS,
        BANKING_INTERNAL_URL: started.banking?.url ?? NOWHERE,
      };
    case 'gateway':
      return { ...jwks, ...graph, GATEWAY_PORT: '0', SERVICE_SIGNING_KEYS: settings.keys.GATEWAY_SERVICE_SIGNING_KEYS };
    case 'bff-mobile':
      return {
        ...jwks,
        ...graph,
        MOBILE_BFF_PORT: '0',
        MOBILE_BFF_METRICS_PORT: '0',
        MOBILE_TRUSTED_DOCUMENTS: 'required',
        SERVICE_SIGNING_KEYS: settings.keys.BFF_MOBILE_SERVICE_SIGNING_KEYS,
      };
  }
}

/** Starts one server process and waits until it listens. */
async function startServer(role: Role, env: Record<string, string>, dir: string, profile: boolean): Promise<{ child: ChildProcess; stop: () => Promise<void>; server: RunningServer }> {
  const forked = await forkServer(path.join(__dirname, 'payments-server.ts'), role, { env: { ...process.env, ...env }, dir, profile, logName: role });
  const { child, ready } = forked;
  const url = `http://127.0.0.1:${ready.port}`;
  const metricsUrl = `http://127.0.0.1:${ready.metricsPort ?? ready.port}/metrics`;
  return { child, stop: forked.stop, server: { role, pid: forked.pid, url, metricsUrl, log: forked.log, statements: (attribute) => askStatements(child, role, attribute) } };
}

/** Asks a server process for its statement counts over IPC (one question at a time per process). */
function askStatements(child: ChildProcess, role: Role, attribute?: boolean): Promise<StatementCounts> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${role} did not answer with its statement counts within 10 s`)), 10_000);
    const onMessage = (message: StatementsMessage) => {
      if (message?.type !== 'statements') return;
      const { type: _type, ...counts } = message;
      done(undefined, counts);
    };
    const done = (err?: Error, counts?: StatementCounts) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (err) reject(err);
      else resolve(counts!);
    };
    child.on('message', onMessage);
    child.send({ type: 'statements', attribute } satisfies StatementsRequest);
  });
}

/** Starts `roles` in order (each may call those before it), every one in its own process. */
export async function startStack(settings: StackSettings, roles: readonly Role[]): Promise<PaymentsStack> {
  const stops: (() => Promise<void>)[] = [];
  const servers: Partial<Record<Role, RunningServer>> = {};
  const stop = async () => {
    for (const stopOne of [...stops].reverse()) await stopOne();
  };
  try {
    for (const role of roles) {
      const { stop: stopOne, server } = await startServer(role, { ...sharedEnv(settings), ...roleEnv(role, settings, servers) }, settings.dir, settings.profile?.includes(role) ?? false);
      stops.push(stopOne);
      servers[role] = server;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { servers, stop };
}
