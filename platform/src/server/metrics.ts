import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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
