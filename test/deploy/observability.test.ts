/**
 * Checks the observability kit without Docker: deploy/prometheus (scrape
 * targets, alert rules and their runbooks), deploy/grafana (provisioning and
 * dashboards), deploy/otel (the collector) and the Compose profile that runs
 * them. Every PromQL expression is parsed with Prometheus's own grammar
 * (@prometheus-io/lezer-promql), and every metric it reads must be one that
 * Meridian's servers register: the names are read from the registries of the
 * real servers, started here with their background workers on. The last block
 * feeds broken copies to the same checkers to prove they can fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { createGatewayServer, loadGatewayConfig } from '@meridian/supergraph';
import { createInsightsServer, loadInsightsConfig } from '@meridian/insights';
import type { MeridianServer } from '@meridian/platform';
import type { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { startStack, type Stack } from '../helpers/stack';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
// Parsed YAML and JSON are untyped; the checkers read them defensively and report what is missing.
type Doc = any;

const compose: Doc = parseYaml(read('docker-compose.yml'), { merge: true });
const prometheusConfig: Doc = parseYaml(read('deploy/prometheus/prometheus.yml'));
const alerts: Doc = parseYaml(read('deploy/prometheus/alerts.yml'));
const collector: Doc = parseYaml(read('deploy/otel/collector.yaml'));
const datasources: Doc = parseYaml(read('deploy/grafana/provisioning/datasources/datasources.yaml'));
const dashboardProviders: Doc = parseYaml(read('deploy/grafana/provisioning/dashboards/dashboards.yaml'));
const dashboardDir = path.join(root, 'deploy/grafana/dashboards');
const dashboards: Record<string, Doc> = Object.fromEntries(
  fs
    .readdirSync(dashboardDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [file, JSON.parse(fs.readFileSync(path.join(dashboardDir, file), 'utf8'))]),
);
const runbooks = read('docs/runbooks.md');

/** The observability profile's services. */
const OBSERVABILITY = ['otel-collector', 'jaeger', 'prometheus', 'grafana'];
/** Series Prometheus makes itself for every target. */
const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
const anchors = new Set([...runbooks.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1])));

/** Grafana's variables, replaced by values PromQL accepts, so a panel's query parses as Grafana would send it. */
function withGrafanaVariables(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$(\w+)/g, '$1');
}

/** Parse errors of a PromQL expression and the metric names it reads. */
function promql(expr: string): { errors: string[]; metrics: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.name === 'VectorSelector') {
        const name = node.node.firstChild;
        if (name?.name === 'Identifier') metrics.push(expr.slice(name.from, name.to));
      }
    },
  });
  return { errors, metrics };
}

/** Problems of one expression against the metric names that exist. */
function exprProblems(where: string, expr: unknown, known: ReadonlySet<string>): string[] {
  if (typeof expr !== 'string' || expr.trim() === '') return [`${where}: no expression`];
  const { errors, metrics } = promql(expr);
  return [
    ...errors.map((e) => `${where}: ${e}`),
    ...(metrics.length === 0 ? [`${where}: reads no metric`] : []),
    ...metrics.filter((m) => !known.has(m)).map((m) => `${where}: ${m} is not a metric Meridian registers`),
  ];
}

/** Problems in the alert rules: fields, severities, runbook links and expressions. */
function alertProblems(doc: Doc, known: ReadonlySet<string>, runbookAnchors: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const rules: Doc[] = (doc?.groups ?? []).flatMap((g: Doc) => g.rules ?? []);
  if (rules.length === 0) return ['no rules'];
  const names = new Set<string>();
  for (const rule of rules) {
    const name = rule.alert ?? '(unnamed)';
    if (!rule.alert) problems.push('a rule has no alert name');
    if (names.has(name)) problems.push(`${name}: named twice`);
    names.add(name);
    if (!/^\d+[smhd]$/.test(String(rule.for ?? ''))) problems.push(`${name}: no "for" duration`);
    if (!['critical', 'warning'].includes(rule.labels?.severity)) problems.push(`${name}: severity is not critical or warning`);
    if (!rule.annotations?.summary) problems.push(`${name}: no summary`);
    const runbook = /^docs\/runbooks\.md#(.+)$/.exec(String(rule.annotations?.runbook_url ?? ''));
    if (!runbook) problems.push(`${name}: runbook_url does not point into docs/runbooks.md`);
    else if (!runbookAnchors.has(runbook[1])) problems.push(`${name}: docs/runbooks.md has no section #${runbook[1]}`);
    else if (runbook[1] !== anchorOf(name)) problems.push(`${name}: its runbook section is #${runbook[1]}, not the one named after it`);
    problems.push(...exprProblems(name, rule.expr, known));
  }
  return problems;
}

/** Problems in one dashboard: its data sources, variables and every panel's queries. */
function dashboardProblems(file: string, dashboard: Doc, known: ReadonlySet<string>, datasourceUids: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (!dashboard?.uid || !dashboard?.title) problems.push(`${file}: no uid or title`);
  const panels: Doc[] = (dashboard?.panels ?? []).filter((p: Doc) => p.type !== 'row');
  if (panels.length === 0) problems.push(`${file}: no panels`);
  for (const variable of dashboard?.templating?.list ?? []) {
    const query = String(variable.query?.query ?? variable.query ?? '');
    const metric = /^label_values\((\w+)/.exec(query)?.[1];
    if (variable.type === 'query' && (!metric || !known.has(metric))) problems.push(`${file}: variable ${variable.name} reads ${metric ?? query}, not a metric Meridian registers`);
  }
  for (const panel of panels) {
    const where = `${file}: "${panel.title}"`;
    if (!datasourceUids.has(panel.datasource?.uid)) problems.push(`${where}: data source ${panel.datasource?.uid} is not provisioned`);
    if (!(panel.targets ?? []).length) problems.push(`${where}: no queries`);
    for (const target of panel.targets ?? []) {
      if (target.datasource && !datasourceUids.has(target.datasource.uid)) problems.push(`${where}: data source ${target.datasource.uid} is not provisioned`);
      problems.push(...exprProblems(where, typeof target.expr === 'string' ? withGrafanaVariables(target.expr) : target.expr, known));
    }
  }
  return problems;
}

/** A Compose bind mount `./from:/to[:ro]` as its two paths, or undefined for a named volume. */
function bindMount(entry: string): { from: string; to: string } | undefined {
  const [from, to] = entry.split(':');
  return from.startsWith('./') ? { from: from.slice(2), to } : undefined;
}

/** Problems in the Compose profile, the collector, Prometheus's scrape targets and Grafana's provisioning. */
function wiringProblems(composeDoc: Doc, prometheus: Doc, otel: Doc, grafanaSources: Doc, providers: Doc): string[] {
  const problems: string[] = [];
  const services: Record<string, Doc> = composeDoc?.services ?? {};
  const mountsOf = (name: string) => (services[name]?.volumes ?? []).map(bindMount).filter(Boolean) as { from: string; to: string }[];
  for (const name of OBSERVABILITY) {
    const service = services[name];
    if (!service) {
      problems.push(`compose: no ${name} service`);
      continue;
    }
    if (JSON.stringify(service.profiles) !== '["observability"]') problems.push(`${name}: not in the observability profile only`);
    if (!/:v?\d+\.\d+\.\d+$/.test(String(service.image ?? ''))) problems.push(`${name}: image ${service.image} is not pinned to a version`);
    for (const port of service.ports ?? []) if (!String(port).startsWith('127.0.0.1:')) problems.push(`${name}: publishes ${port} beyond loopback`);
    for (const mount of mountsOf(name)) if (!fs.existsSync(path.join(root, mount.from))) problems.push(`${name}: mounts ${mount.from}, which does not exist`);
  }
  // Meridian's servers: those built from the Dockerfile that keep running.
  const servers = Object.entries(services).filter(([, s]) => s.build && s.restart !== 'no');
  if (servers.length === 0) problems.push('compose: no Meridian servers');
  const endpoint = /^\$\{OTEL_EXPORTER_OTLP_ENDPOINT-(http:\/\/otel-collector:(\d+))\}$/;
  const httpPort = String(otel?.receivers?.otlp?.protocols?.http?.endpoint ?? '').split(':').pop();
  for (const [name, server] of servers) {
    const otlp = endpoint.exec(String(server.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? ''));
    if (!otlp) problems.push(`${name}: OTEL_EXPORTER_OTLP_ENDPOINT does not default to the collector`);
    else if (otlp[2] !== httpPort) problems.push(`${name}: sends OTLP to port ${otlp[2]}, the collector's OTLP/HTTP receiver listens on ${httpPort}`);
    if ((server.profiles ?? []).length > 0) problems.push(`${name}: a Meridian server must not need a profile`);
  }
  // The collector: OTLP in over gRPC and HTTP, batched, out to Jaeger's OTLP port.
  const traces = otel?.service?.pipelines?.traces;
  if (!otel?.receivers?.otlp?.protocols?.grpc || !otel?.receivers?.otlp?.protocols?.http) problems.push('collector: OTLP receiver lacks grpc or http');
  if (!traces?.receivers?.includes('otlp')) problems.push('collector: the traces pipeline does not receive OTLP');
  if (!traces?.processors?.includes('batch') || !otel?.processors?.batch) problems.push('collector: no batch processor in the traces pipeline');
  const toJaeger = (traces?.exporters ?? []).find((e: string) => /^otlp(\/|$)/.test(e) && /^jaeger:4317$/.test(String(otel?.exporters?.[e]?.endpoint)));
  if (!toJaeger) problems.push('collector: the traces pipeline does not export to jaeger:4317 over OTLP');
  const collectorMount = mountsOf('otel-collector').find((m) => m.from === 'deploy/otel/collector.yaml');
  if (!collectorMount || !(services['otel-collector']?.command ?? []).includes(`--config=${collectorMount.to}`)) problems.push('otel-collector: does not run deploy/otel/collector.yaml');
  // Prometheus: every server on its metrics port (the BFFs' internal one), and the rules it is given.
  const targets = new Set<string>((prometheus?.scrape_configs ?? []).filter((c: Doc) => c.job_name === 'meridian').flatMap((c: Doc) => (c.static_configs ?? []).flatMap((s: Doc) => s.targets ?? [])));
  for (const [name, server] of servers) {
    const env = server.environment ?? {};
    const metricsPort = Object.entries(env).find(([key]) => key.endsWith('_METRICS_PORT'))?.[1] ?? String(server.ports?.[0] ?? '').split(':').pop();
    if (!targets.has(`${name}:${metricsPort}`)) problems.push(`prometheus: does not scrape ${name}:${metricsPort}`);
  }
  const promMounts = mountsOf('prometheus');
  for (const rules of prometheus?.rule_files ?? []) {
    if (!promMounts.some((m) => m.to === rules)) problems.push(`prometheus: rule file ${rules} is not mounted`);
  }
  if (!promMounts.some((m) => m.from === 'deploy/prometheus/alerts.yml' && (prometheus?.rule_files ?? []).includes(m.to))) problems.push('prometheus: deploy/prometheus/alerts.yml is not loaded');
  // Grafana: both data sources at their Compose services, dashboards from the mounted folder.
  const sources: Doc[] = grafanaSources?.datasources ?? [];
  const source = (type: string) => sources.find((s) => s.type === type);
  if (source('prometheus')?.url !== `http://prometheus:9090`) problems.push('grafana: no Prometheus data source at http://prometheus:9090');
  if (source('jaeger')?.url !== `http://jaeger:16686`) problems.push('grafana: no Jaeger data source at http://jaeger:16686');
  const grafanaMounts = mountsOf('grafana');
  if (!grafanaMounts.some((m) => m.from === 'deploy/grafana/provisioning' && m.to === '/etc/grafana/provisioning')) problems.push('grafana: provisioning is not mounted at /etc/grafana/provisioning');
  const dashboardsAt = grafanaMounts.find((m) => m.from === 'deploy/grafana/dashboards')?.to;
  if (!dashboardsAt || !(providers?.providers ?? []).some((p: Doc) => p.type === 'file' && p.options?.path === dashboardsAt)) problems.push('grafana: no dashboard provider reads the mounted dashboards');
  return problems;
}

/** Every series name a registry can expose: histograms as their `_bucket`, `_sum` and `_count`. */
async function seriesNames(registry: Registry): Promise<string[]> {
  const metrics = await registry.getMetricsAsJSON();
  // prom-client types `type` as a numeric enum; at run time it is the type's name.
  return metrics.flatMap((m) => ((m.type as unknown) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
}

describe('observability wiring (Compose profile, collector, Prometheus, Grafana)', () => {
  it('is consistent: pinned images on loopback, servers tracing to the collector, every server scraped, data sources and dashboards mounted', () => {
    expect(wiringProblems(compose, prometheusConfig, collector, datasources, dashboardProviders)).toEqual([]);
  });

  it('has one uid per dashboard and one provisioned data source per uid the dashboards use', () => {
    const uids = Object.values(dashboards).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(Object.keys(dashboards).sort()).toEqual(['meridian-edge.json', 'meridian-events.json', 'meridian-graphql-operations.json', 'meridian-ledger.json', 'meridian-overview.json']);
    expect(datasources.datasources.map((d: Doc) => d.uid).sort()).toEqual(['jaeger', 'prometheus']);
  });
});

describe('alert rules, runbooks and dashboards against the metrics the servers register', () => {
  let stack: Stack;
  const extra: MeridianServer[] = [];
  const known = new Set<string>(PROMETHEUS_OWN);

  beforeAll(async () => {
    // Every background worker on, as in a deployment: the outbox, consumer and verification metrics come with them.
    const workers = { IDENTITY_WORKERS: 'true', LEDGER_WORKERS: 'true', KYC_WORKERS: 'true', PAYMENTS_WORKERS: 'true', INSIGHTS_WORKERS: 'true' };
    stack = await startStack(workers);
    const identityBase = stack.identity.app.server.address();
    const port = (server: MeridianServer) => (server.app.server.address() as { port: number }).port;
    const insights = await createInsightsServer(
      loadInsightsConfig({
        ...process.env,
        ...workers,
        MIGRATE_ON_START: 'true',
        BANKING_INTERNAL_URL: `http://127.0.0.1:${port(stack.banking)}`,
        IDENTITY_JWKS_URL: `http://127.0.0.1:${(identityBase as { port: number }).port}/.well-known/jwks.json`,
      }),
      { databaseUrl: stack.db.url, revocations: stack.revocations },
    );
    const gateway = await createGatewayServer(loadGatewayConfig({ ...process.env }));
    extra.push(insights, gateway);
    const registries: Registry[] = [
      ...[stack.identity, stack.banking, stack.kyc, stack.payments, insights].map((s) => (s as unknown as { metrics: { registry: Registry } }).metrics.registry),
      stack.web.registry!,
      stack.mobile.registry!,
      gateway.registry!,
    ];
    for (const registry of registries) for (const name of await seriesNames(registry)) known.add(name);
  });
  afterAll(async () => {
    for (const server of extra) await server.close();
    await stack?.close();
  });

  it('finds the metrics of every part on the real servers', () => {
    for (const name of [
      'http_server_request_duration_seconds_count',
      'graphql_operations_total',
      'graphql_operation_duration_seconds_bucket',
      'ledger_transfers_total',
      'ledger_batch_size_bucket',
      'ledger_group_commit_wait_seconds_bucket',
      'ledger_refusals_total',
      'ledger_verification_ok',
      'ledger_verification_last_success_timestamp_seconds',
      'outbox_unpublished_events',
      'outbox_oldest_unpublished_age_seconds',
      'event_consumer_lag_entries',
      'event_consumer_pending_entries',
      'event_dead_letter_entries',
      'rate_limit_refusals_total',
      'redis_fallback_in_use',
      'signing_key_created_timestamp_seconds',
    ]) {
      expect(known).toContain(name);
    }
  });

  it('alert rules: each parses, reads only registered metrics, and has for, severity, a summary and its own runbook section', () => {
    expect(alertProblems(alerts, known, anchors)).toEqual([]);
  });

  it('runbooks: each section belongs to an alert, with what it means, how to confirm, what to do and when to escalate', () => {
    const alertNames: string[] = alerts.groups.flatMap((g: Doc) => g.rules.map((r: Doc) => r.alert));
    const sections = runbooks.split(/^## /m).slice(1);
    expect(sections.map((s) => s.split('\n')[0].trim()).sort()).toEqual([...alertNames].sort());
    const missing = sections.flatMap((section) =>
      ['**Means**', '**Confirm**', '**Do**', '**Escalate**'].filter((part) => !section.includes(part)).map((part) => `${section.split('\n')[0]}: no ${part}`),
    );
    expect(missing).toEqual([]);
  });

  it('dashboards: every panel query and variable parses and reads only registered metrics, on a provisioned data source', () => {
    const uids = new Set<string>(datasources.datasources.map((d: Doc) => d.uid));
    expect(Object.entries(dashboards).flatMap(([file, d]) => dashboardProblems(file, d, known, uids))).toEqual([]);
  });
});

describe('the observability checks themselves', () => {
  const known = new Set(['up', 'http_server_request_duration_seconds_count', 'ledger_verification_ok']);
  const rule = (over: Record<string, unknown>) => ({
    groups: [
      {
        name: 'g',
        rules: [{ alert: 'MeridianServerDown', expr: 'up == 0', for: '2m', labels: { severity: 'critical' }, annotations: { summary: 's', runbook_url: 'docs/runbooks.md#meridianserverdown' }, ...over }],
      },
    ],
  });
  const anchorsHere = new Set(['meridianserverdown']);

  it('catch a metric nobody registers, a syntax error, a missing runbook section and a rule without for or severity', () => {
    expect(alertProblems(rule({}), known, anchorsHere)).toEqual([]);
    expect(alertProblems(rule({ expr: 'ledger_verifcation_ok == 0' }), known, anchorsHere)).toEqual(['MeridianServerDown: ledger_verifcation_ok is not a metric Meridian registers']);
    expect(alertProblems(rule({ expr: 'sum(rate(up[5m]) > ' }), known, anchorsHere)[0]).toMatch(/syntax error/);
    expect(alertProblems(rule({ annotations: { summary: 's', runbook_url: 'docs/runbooks.md#nowhere' } }), known, anchorsHere)).toEqual(['MeridianServerDown: docs/runbooks.md has no section #nowhere']);
    expect(alertProblems(rule({ for: undefined, labels: {} }), known, anchorsHere)).toEqual(['MeridianServerDown: no "for" duration', 'MeridianServerDown: severity is not critical or warning']);
  });

  it('catch a dashboard query on an unknown metric or data source', () => {
    const board = (expr: string, uid = 'prometheus') => ({ uid: 'b', title: 'B', panels: [{ type: 'timeseries', title: 'P', datasource: { uid }, targets: [{ expr }] }] });
    const uids = new Set(['prometheus']);
    expect(dashboardProblems('b.json', board('sum(rate(http_server_request_duration_seconds_count[$__rate_interval]))'), known, uids)).toEqual([]);
    expect(dashboardProblems('b.json', board('rate(http_requests_total[5m])'), known, uids)).toEqual(['b.json: "P": http_requests_total is not a metric Meridian registers']);
    expect(dashboardProblems('b.json', board('up', 'loki'), known, uids)).toEqual(['b.json: "P": data source loki is not provisioned']);
  });

  it('catch an unpinned image, a public port, an unscraped server, a server not tracing to the collector and a missing mount', () => {
    const broken: Doc = structuredClone(compose);
    broken.services.jaeger.image = 'jaegertracing/jaeger:latest';
    broken.services.grafana.ports = ['3000:3000'];
    broken.services.banking.environment.OTEL_EXPORTER_OTLP_ENDPOINT = '';
    broken.services.prometheus.volumes = broken.services.prometheus.volumes.filter((v: string) => !v.includes('alerts.yml'));
    const scrape: Doc = structuredClone(prometheusConfig);
    scrape.scrape_configs[0].static_configs[0].targets = scrape.scrape_configs[0].static_configs[0].targets.filter((t: string) => t !== 'bff-web:9400');
    expect(wiringProblems(broken, scrape, collector, datasources, dashboardProviders)).toEqual(
      expect.arrayContaining([
        'jaeger: image jaegertracing/jaeger:latest is not pinned to a version',
        'grafana: publishes 3000:3000 beyond loopback',
        'banking: OTEL_EXPORTER_OTLP_ENDPOINT does not default to the collector',
        'prometheus: does not scrape bff-web:9400',
        'prometheus: rule file /etc/prometheus/alerts.yml is not mounted',
      ]),
    );
  });
});
