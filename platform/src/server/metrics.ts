import { collectDefaultMetrics, Counter, Histogram, Registry, type Metric } from 'prom-client';

/** One Prometheus registry per server, labelled with the service name. */
export interface ServerMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  graphqlErrors: Counter<'code'>;
  /** Passes of background workers (createPeriodicWorker), by outcome. */
  workerRuns: Counter<'worker' | 'outcome'>;
  workerDuration: Histogram<'worker'>;
}

/** Creates a server's registry with Node's default metrics and the HTTP/GraphQL ones. */
export function createServerMetrics(service: string): ServerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors returned, by extensions.code',
    labelNames: ['code'],
    registers: [registry],
  });
  const workerRuns = new Counter({
    name: 'worker_runs_total',
    help: 'Passes of background workers, by outcome',
    labelNames: ['worker', 'outcome'],
    registers: [registry],
  });
  const workerDuration = new Histogram({
    name: 'worker_run_duration_seconds',
    help: 'Duration of background worker passes in seconds',
    labelNames: ['worker'],
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  return { registry, httpDuration, graphqlErrors, workerRuns, workerDuration };
}

/**
 * The metric called `name` in `registry`, made by `create` the first time: servers that
 * share a registry (two in one test, or one server with two sources of the same metric)
 * register it once, since prom-client refuses a second metric of the same name.
 */
export function registeredMetric<T extends Metric>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** Options for {@link createScrapeSampler}. */
export interface ScrapeSamplerOptions {
  /** Longest a scrape waits for the read, in ms; then the read counts as failed. Default 1,000. */
  timeoutMs?: number;
  /** How long a result is reused, in ms, so the gauges of one scrape share one read. Default 1,000. */
  maxAgeMs?: number;
  /** Told once about each read that failed (with its error) or ran out of time (with none). */
  onMiss?: (err?: unknown) => void;
}

/**
 * A read that gauges run when scraped (`collect()`): one read serves every gauge of
 * the same scrape, and a read that takes longer than `timeoutMs` resolves as
 * undefined, so a slow database or Redis never holds the scrape for long (the read
 * itself goes on and is dropped). A failed read resolves as undefined too.
 */
export function createScrapeSampler<T>(read: () => Promise<T>, options: ScrapeSamplerOptions = {}): () => Promise<T | undefined> {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const maxAgeMs = options.maxAgeMs ?? 1_000;
  let last: { at: number; value: Promise<T | undefined> } | undefined;
  return () => {
    const now = performance.now();
    if (last && now - last.at < maxAgeMs) return last.value;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        options.onMiss?.();
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
    });
    const reading = read().catch((err: unknown) => {
      options.onMiss?.(err);
      return undefined;
    });
    const value = Promise.race([reading, timeout]).finally(() => clearTimeout(timer));
    last = { at: now, value };
    return value;
  };
}
