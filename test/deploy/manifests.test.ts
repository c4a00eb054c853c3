/**
 * Checks docker-compose.yml, the Dockerfile and deploy/k8s against each other
 * and against the architecture's ports, without Docker or a cluster. The
 * Kubernetes checks run on the base and on each overlay as Kustomize renders
 * them (kustomize.ts). Each checker returns a list of problems; the last block
 * feeds broken copies to the same checkers to prove they can fail.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SIGNING_SERVICES } from '@meridian/platform';
import { PROVIDER_WEBHOOK_ROUTE } from '@meridian/kyc';
import { PAYMENTS_WEBHOOK_PATH } from '@meridian/payments';
import { parseAllDocuments } from 'yaml';
import { bffComposeSizingProblems, bffContainerSizingProblems } from './bff-sizing';
import { parseImage, renderKustomization } from './kustomize';
import { admits, selects } from './network-policy';
import { scalingProblems, serverMemoryProblems } from './scaling';

const root = path.resolve(__dirname, '../..');
const k8sDir = path.join(root, 'deploy/k8s');
/** What `kubectl apply -k` is pointed at: the base (for the checks' own sake) and each environment's overlay. */
const k8sTargets = ['base', 'overlays/staging', 'overlays/production'] as const;
type K8sTarget = (typeof k8sTargets)[number];

/**
 * What the browser asks the web BFF for the dashboard (apps/web): `/` (Exact, so health and other
 * server routes stay unrouted), the hashed bundle under `/assets`, and the first segment of every
 * screen's path in the app's route files — a new screen needs its Ingress route, or this test fails.
 */
function webAppPaths(): string[] {
  const src = path.join(root, 'apps/web/src');
  const files = fs.readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => /-routes\.tsx?$/.test(f));
  const segments = files.flatMap((f) => [...fs.readFileSync(path.join(src, f), 'utf8').matchAll(/path: '(\/[a-z0-9-]+)/g)].map((m) => m[1]));
  return ['/', '/assets', ...new Set(segments)];
}

/** Servers and ports from the architecture's "Processes and ports" table, with the variable each listens on. */
const servers: Record<string, { port: number; workspace: string; portVar: string; metrics?: { port: number; portVar: string }; clientPaths?: string[]; webhookPaths?: string[] }> = {
  identity: { port: 4201, workspace: 'subgraphs/identity', portVar: 'IDENTITY_PORT' },
  banking: { port: 4202, workspace: 'subgraphs/banking', portVar: 'BANKING_PORT' },
  kyc: { port: 4203, workspace: 'subgraphs/kyc', portVar: 'KYC_PORT', webhookPaths: [PROVIDER_WEBHOOK_ROUTE] },
  payments: { port: 4204, workspace: 'subgraphs/payments', portVar: 'PAYMENTS_PORT', webhookPaths: [PAYMENTS_WEBHOOK_PATH] },
  insights: { port: 4205, workspace: 'subgraphs/insights', portVar: 'INSIGHTS_PORT' },
  gateway: { port: 4100, workspace: 'supergraph', portVar: 'GATEWAY_PORT' },
  'bff-web': {
    port: 4000,
    workspace: 'bff/web',
    portVar: 'WEB_BFF_PORT',
    metrics: { port: 9400, portVar: 'WEB_BFF_METRICS_PORT' },
    clientPaths: ['/graphql', '/auth', '/uploads', '/kyc/documents', '/exports/transactions.csv', ...webAppPaths()],
  },
  'bff-mobile': { port: 4001, workspace: 'bff/mobile', portVar: 'MOBILE_BFF_PORT', metrics: { port: 9401, portVar: 'MOBILE_BFF_METRICS_PORT' }, clientPaths: ['/graphql', '/uploads', '/kyc/documents', '/exports/transactions.csv'] },
};

/** Who signs service tokens (each with a key of its own), who verifies them, and who signs user access tokens. */
const signers = ['gateway', 'bff-web', 'bff-mobile', 'payments', 'insights'];
const verifiers = ['identity', 'banking', 'kyc', 'payments', 'insights', 'gateway'];
const signingVar = (service: string) => `${service.toUpperCase().replace(/-/g, '_')}_SERVICE_SIGNING_KEYS`;
/** The servers that keep files in the shared, encrypted object store (uploads, KYC documents). */
const fileServers = ['kyc', 'bff-web', 'bff-mobile'];
const OBJECTS = '/var/lib/meridian/objects';
/**
 * The servers that seal personal data or files with DATA_PROTECTION_KEYS: those that keep files, payments (payee
 * account numbers, card tokens) and identity (authenticator secrets, the keyed hashes of one-time and recovery codes).
 */
const sealers = [...fileServers, 'payments', 'identity'];

/** The Secret holding one server's private key on Kubernetes. */
const keySecret = (server: string) => `meridian-${server}-keys`;

/** Subgraphs, which the gateway and the BFFs reach at `<NAME>_URL` (supergraph/src/subgraph-config.ts). */
const subgraphs = Object.keys(servers).filter((name) => servers[name].workspace.startsWith('subgraphs/'));
const urlVar = (subgraph: string) => `${subgraph.toUpperCase()}_URL`;

/**
 * Who must reach whom inside the cluster, on the callee's http port: the gateway and the BFFs every
 * subgraph; payments the internal APIs it calls (LEDGER_API_CALLERS, IDENTITY_API_CALLERS,
 * KYC_API_CALLERS); insights banking's ledger (LEDGER_READ_CALLERS); every other server identity,
 * for its JWKS. The BFFs' calls to insights' CSV export ride on their way to every subgraph.
 */
const graphCallers = ['gateway', 'bff-web', 'bff-mobile'];
const internalApiCalls: Record<string, string[]> = { payments: ['banking', 'identity', 'kyc'], insights: ['banking'] };
/** The allow-list (a ConfigMap setting) each internal API checks, and who must be on it. */
const internalApiCallers: Record<string, string[]> = {
  LEDGER_API_CALLERS: ['payments'],
  LEDGER_READ_CALLERS: ['insights'],
  IDENTITY_API_CALLERS: ['payments'],
  IDENTITY_API_KEY_CALLERS: ['bff-web'],
  KYC_API_CALLERS: ['payments'],
  INSIGHTS_API_CALLERS: ['bff-web', 'bff-mobile'],
};
const requiredPaths: [from: string, to: string][] = [
  ...graphCallers.flatMap((caller) => subgraphs.map((subgraph): [string, string] => [caller, subgraph])),
  ...Object.entries(internalApiCalls).flatMap(([caller, targets]) => targets.map((target): [string, string] => [caller, target])),
  ...Object.keys(servers).filter((name) => name !== 'identity').map((name): [string, string] => [name, 'identity']),
  // GATEWAY_CALLERS: the BFFs may use the gateway server.
  ['bff-web', 'gateway'],
  ['bff-mobile', 'gateway'],
];

// Parsed YAML is untyped; the checkers read it defensively and report what is missing.
type Doc = any;

/** Parses every document of a YAML file, failing on syntax errors (YAML 1.1 merge keys on, as Compose reads them). */
function readYaml(file: string): Doc[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { merge: true });
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return docs.map((doc) => doc.toJS()).filter((doc) => doc != null);
}

/** The file a workspace's `npm start` runs, e.g. `src/main.ts`. */
function startEntry(workspace: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, workspace, 'package.json'), 'utf8'));
  const entry = String(pkg.scripts?.start ?? '').split(/\s+/).find((part) => part.endsWith('.ts'));
  if (!entry) throw new Error(`${workspace}/package.json has no "start" script running a .ts file`);
  return entry;
}

/** Container side of a Compose port entry: "4000", "4000:4000", "127.0.0.1:4201:4201/tcp" or { target }. */
function containerPort(entry: Doc): number {
  if (typeof entry === 'object' && entry !== null) return Number(entry.target);
  return Number(String(entry).split(':').pop()!.split('/')[0]);
}

const dependsOn = (service: Doc): Record<string, Doc> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name: string) => [name, { condition: 'service_started' }]))
    : (service.depends_on ?? {});

/** Problems in a parsed docker-compose.yml. */
function composeProblems(compose: Doc): string[] {
  const problems: string[] = [];
  const services: Record<string, Doc> = compose?.services ?? {};
  if (Object.keys(services).length === 0) return ['no services'];
  for (const [name, service] of Object.entries(services)) {
    const oneShot = service.restart === 'no';
    // Optional tooling under a Compose profile (the observability images, some without a shell) may go without one;
    // nothing may wait for such a service to be healthy then (checked below).
    const optional = Array.isArray(service.profiles) && service.profiles.length > 0;
    if (!oneShot && !optional && !service.healthcheck?.test) problems.push(`${name}: no healthcheck`);
    for (const [dep, { condition }] of Object.entries(dependsOn(service))) {
      if (!services[dep]) problems.push(`${name}: depends on missing service ${dep}`);
      else if (condition === 'service_healthy' && !services[dep].healthcheck) problems.push(`${name}: waits for ${dep} to be healthy, which has no healthcheck`);
    }
    if (!service.build) continue;
    const server = servers[name];
    if (!server) {
      if (!oneShot) problems.push(`${name}: built from the Dockerfile but not a known server or a one-shot job`);
      continue;
    }
    const ports = (service.ports ?? []).map(containerPort);
    if (ports.length !== 1 || ports[0] !== server.port) problems.push(`${name}: publishes ${ports.join(',') || 'no port'}, expected ${server.port}`);
    if (service.working_dir !== `/app/${server.workspace}`) problems.push(`${name}: working_dir ${service.working_dir}, expected /app/${server.workspace}`);
    if (!(service.command ?? []).includes(startEntry(server.workspace))) problems.push(`${name}: command does not run ${startEntry(server.workspace)}`);
    const check = JSON.stringify(service.healthcheck?.test ?? '');
    if (!check.includes(`:${server.port}/health/ready`)) problems.push(`${name}: healthcheck does not hit :${server.port}/health/ready`);
    const env = service.environment ?? {};
    if (env.HOST !== '0.0.0.0') problems.push(`${name}: HOST is not 0.0.0.0`);
    if (env.NODE_ENV !== 'production') problems.push(`${name}: NODE_ENV is not production`);
    if (env[server.portVar] !== String(server.port)) problems.push(`${name}: ${server.portVar} is ${env[server.portVar]}, expected ${server.port}`);
    if (server.metrics && env[server.metrics.portVar] !== String(server.metrics.port)) {
      problems.push(`${name}: ${server.metrics.portVar} is ${env[server.metrics.portVar]}, expected ${server.metrics.port}`);
    }
    if (server.clientPaths) problems.push(...bffComposeSizingProblems(name, service));
    else if (env.BFF_WORKERS !== undefined) problems.push(`${name}: sets BFF_WORKERS, which only the BFFs read`);
    const signing = String(env.SERVICE_SIGNING_KEYS ?? '');
    if (signers.includes(name)) {
      if (!signing.startsWith(`\${${signingVar(name)}:`)) problems.push(`${name}: SERVICE_SIGNING_KEYS is not its own ${signingVar(name)}`);
    } else if (signing) problems.push(`${name}: holds SERVICE_SIGNING_KEYS but signs no service tokens`);
    if (verifiers.includes(name) !== String(env.SERVICE_TRUSTED_KEYS ?? '').startsWith('${SERVICE_TRUSTED_KEYS:')) {
      problems.push(`${name}: ${verifiers.includes(name) ? 'lacks' : 'has no use for'} SERVICE_TRUSTED_KEYS`);
    }
    if ((name === 'identity') !== Boolean(env.IDENTITY_SIGNING_KEYS)) problems.push(`${name}: IDENTITY_SIGNING_KEYS belongs to identity alone`);
    if (sealers.includes(name)) {
      if (!String(env.DATA_PROTECTION_KEYS ?? '').startsWith('${DATA_PROTECTION_KEYS:')) problems.push(`${name}: lacks DATA_PROTECTION_KEYS`);
    } else if (env.DATA_PROTECTION_KEYS) problems.push(`${name}: holds DATA_PROTECTION_KEYS but keeps no personal data`);
    if (fileServers.includes(name) && (env.OBJECT_STORE_DIR !== OBJECTS || !(service.volumes ?? []).includes(`objects:${OBJECTS}`))) {
      problems.push(`${name}: does not keep files in the shared objects volume`);
    }
    const jwks = `http://identity:${servers.identity.port}/.well-known/jwks.json`;
    if (name !== 'identity' && env.IDENTITY_JWKS_URL !== jwks) problems.push(`${name}: IDENTITY_JWKS_URL is ${env.IDENTITY_JWKS_URL}, expected ${jwks}`);
    if (!subgraphs.includes(name)) {
      for (const subgraph of subgraphs) {
        const url = `http://${subgraph}:${servers[subgraph].port}/graphql`;
        if (env[urlVar(subgraph)] !== url) problems.push(`${name}: ${urlVar(subgraph)} is ${env[urlVar(subgraph)]}, expected ${url}`);
        if (dependsOn(service)[subgraph]?.condition !== 'service_healthy') problems.push(`${name}: does not wait for ${subgraph} to be healthy`);
      }
    }
  }
  for (const name of Object.keys(servers)) if (!services[name]) problems.push(`missing server ${name}`);
  const migrate = Object.entries(services).find(([, s]) => JSON.stringify(s.command ?? '').includes('migrate'));
  if (!migrate) problems.push('no migrate service');
  else {
    for (const [name, service] of Object.entries(services)) {
      if (name === migrate[0] || !service.environment?.DATABASE_URL) continue;
      if (dependsOn(service)[migrate[0]]?.condition !== 'service_completed_successfully') problems.push(`${name} does not wait for migrations to complete`);
    }
  }
  return problems;
}

interface K8sDoc {
  file: string;
  doc: Doc;
}

const labelsMatch = (selector: Record<string, string> = {}, labels: Record<string, string> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Problems in one Deployment's pod template. */
function deploymentProblems(name: string, spec: Doc): string[] {
  const problems: string[] = [];
  const pod = spec?.template?.spec ?? {};
  const labels = spec?.template?.metadata?.labels;
  if (!labelsMatch(spec?.selector?.matchLabels, labels)) problems.push(`Deployment ${name}: selector does not match its pod labels`);
  if (pod.securityContext?.runAsNonRoot !== true) problems.push(`Deployment ${name}: runAsNonRoot is not set`);
  const tmp = (pod.volumes ?? []).find((v: Doc) => v.emptyDir);
  for (const c of pod.containers ?? []) {
    const ports: Doc[] = c.ports ?? [];
    const resolves = (port: Doc) => ports.some((p) => p.name === port || p.containerPort === port);
    for (const [probe, pathWanted] of [['readinessProbe', '/health/ready'], ['livenessProbe', '/health/live']]) {
      const get = c[probe]?.httpGet;
      if (get?.path !== pathWanted) problems.push(`Deployment ${name}: ${probe} is not GET ${pathWanted}`);
      else if (!resolves(get.port)) problems.push(`Deployment ${name}: ${probe} port ${get.port} is not a container port`);
    }
    if (!c.resources?.requests || !c.resources?.limits) problems.push(`Deployment ${name}: container ${c.name} lacks resource requests or limits`);
    if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`Deployment ${name}: root filesystem is writable`);
    if (!tmp || !(c.volumeMounts ?? []).some((m: Doc) => m.mountPath === '/tmp' && m.name === tmp.name)) problems.push(`Deployment ${name}: no emptyDir on /tmp`);
    const annotations = spec?.template?.metadata?.annotations ?? {};
    if (annotations['prometheus.io/scrape'] !== 'true' || annotations['prometheus.io/path'] !== '/metrics' || !ports.some((p) => String(p.containerPort) === annotations['prometheus.io/port'])) {
      problems.push(`Deployment ${name}: prometheus annotations do not point at /metrics on a container port`);
    }
    const server = servers[name];
    if (server) {
      const http = ports.find((p) => p.name === 'http');
      if (http?.containerPort !== server.port) problems.push(`Deployment ${name}: container port is not ${server.port}`);
      const expected = server.metrics ? [['http', server.port], ['metrics', server.metrics.port]] : [['http', server.port]];
      if (JSON.stringify(ports.map((p) => [p.name, p.containerPort])) !== JSON.stringify(expected)) problems.push(`Deployment ${name}: container ports are not ${JSON.stringify(expected)}`);
      const scraped = String(server.metrics?.port ?? server.port);
      if (annotations['prometheus.io/port'] !== scraped) problems.push(`Deployment ${name}: Prometheus scrapes port ${annotations['prometheus.io/port']}, expected ${scraped}`);
      if (c.workingDir !== `/app/${server.workspace}`) problems.push(`Deployment ${name}: workingDir is not /app/${server.workspace}`);
      if (!(c.command ?? []).includes(startEntry(server.workspace))) problems.push(`Deployment ${name}: command does not run ${startEntry(server.workspace)}`);
      if (server.clientPaths) problems.push(...bffContainerSizingProblems(name, c));
      else problems.push(...serverMemoryProblems(name, c));
    }
  }
  return problems;
}

/** True when a Secret value looks like real key material rather than a placeholder. */
function looksLikeKeyMaterial(value: string): boolean {
  return (
    /"(d|x|y|k|n)"\s*:/.test(value) ||
    /-----BEGIN/.test(value) ||
    /eyJ[A-Za-z0-9_-]{10,}/.test(value) ||
    // a long base64 run mixing lower case with upper case or digits; placeholders are upper case
    /(?=[A-Za-z0-9+/_=-]*[a-z])(?=[A-Za-z0-9+/_=-]*[A-Z0-9])[A-Za-z0-9+/_=-]{32,}/.test(value)
  );
}

/** Problems across every Kubernetes document. */
function k8sProblems(docs: K8sDoc[]): string[] {
  const problems: string[] = [];
  const ofKind = (kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
  for (const { file, doc } of docs) {
    if (!doc.apiVersion || !doc.kind || !doc.metadata?.name) problems.push(`${file}: a document lacks apiVersion, kind or metadata.name`);
  }
  const deployments = ofKind('Deployment');
  for (const d of deployments) problems.push(...deploymentProblems(d.metadata?.name, d.spec));
  problems.push(...scalingProblems(docs.map((d) => d.doc)));
  for (const name of Object.keys(servers)) {
    if (!deployments.some((d) => d.metadata?.name === name)) problems.push(`no Deployment for ${name}`);
    if (!ofKind('Service').some((s) => s.metadata?.name === name)) problems.push(`no Service for ${name}`);
  }
  for (const s of ofKind('Service')) {
    const target = deployments.find((d) => labelsMatch(s.spec?.selector, d.spec?.template?.metadata?.labels));
    if (!target) {
      problems.push(`Service ${s.metadata?.name}: selector matches no Deployment's pod labels`);
      continue;
    }
    const ports: Doc[] = target.spec.template.spec.containers.flatMap((c: Doc) => c.ports ?? []);
    for (const p of s.spec.ports ?? []) {
      if (!ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)) problems.push(`Service ${s.metadata.name}: targetPort ${p.targetPort} is not a container port`);
    }
    if ((s.spec.type ?? 'ClusterIP') !== 'ClusterIP') problems.push(`Service ${s.metadata.name}: is ${s.spec.type}; only the Ingress exposes servers`);
    if ((s.spec.ports ?? []).some((p: Doc) => p.targetPort === 'metrics' || p.port === servers[s.metadata.name]?.metrics?.port)) {
      problems.push(`Service ${s.metadata.name}: exposes the internal metrics port`);
    }
  }
  for (const ingress of ofKind('Ingress')) {
    for (const rule of ingress.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const name = p.backend?.service?.name;
        if (servers[name]?.webhookPaths?.includes(p.path)) {
          // A provider's webhook: that one path of that subgraph, exactly.
          if (p.backend.service.port?.number !== servers[name].port) problems.push(`Ingress ${ingress.metadata.name}: wrong port for ${name}`);
          else if (p.pathType !== 'Exact') problems.push(`Ingress ${ingress.metadata.name}: ${p.path} must be Exact, not ${p.pathType}`);
        } else if (name !== 'bff-web' && name !== 'bff-mobile') problems.push(`Ingress ${ingress.metadata.name}: exposes ${p.path} of ${name}; only the BFFs and the providers' webhooks are public`);
        else if (p.backend.service.port?.number !== servers[name].port) problems.push(`Ingress ${ingress.metadata.name}: wrong port for ${name}`);
        else if (!servers[name].clientPaths!.includes(p.path)) problems.push(`Ingress ${ingress.metadata.name}: routes ${p.path} to ${name}, which clients do not use`);
        else if ((p.path === '/graphql' || p.path === '/') && p.pathType !== 'Exact') problems.push(`Ingress ${ingress.metadata.name}: ${p.path} must be Exact, not ${p.pathType}`);
      }
    }
  }
  // And the other way round: every path a client uses has its route.
  const routed = ofKind('Ingress').flatMap((ingress) =>
    (ingress.spec?.rules ?? []).flatMap((rule: Doc) => (rule.http?.paths ?? []).map((p: Doc) => `${p.backend?.service?.name} ${p.path}`)),
  );
  for (const [name, server] of Object.entries(servers)) {
    for (const clientPath of [...(server.clientPaths ?? []), ...(server.webhookPaths ?? [])]) if (!routed.includes(`${name} ${clientPath}`)) problems.push(`Ingress: no route for ${clientPath} to ${name}`);
    if (server.webhookPaths) {
      const labels = deployments.find((d) => d.metadata?.name === name)?.spec?.template?.metadata?.labels;
      const fromIngress = ofKind('NetworkPolicy').some(
        (np) =>
          labels &&
          selects(np.spec?.podSelector ?? {}, labels) &&
          (np.spec?.ingress ?? []).some(
            (rule: Doc) =>
              (rule.ports ?? []).some((port: Doc) => port.port === 'http') &&
              (rule.from ?? []).some((peer: Doc) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ingress-nginx' && !peer.podSelector),
          ),
      );
      if (!fromIngress) problems.push(`NetworkPolicy: the ingress controller cannot reach ${name}'s webhook`);
    }
  }
  for (const internal of [...subgraphs, 'gateway']) {
    const labels = deployments.find((d) => d.metadata?.name === internal)?.spec?.template?.metadata?.labels;
    if (labels && !ofKind('NetworkPolicy').some((np) => selects(np.spec?.podSelector ?? {}, labels))) problems.push(`no NetworkPolicy selects the ${internal} pods`);
  }
  const podLabels = (name: string) => deployments.find((d) => d.metadata?.name === name)?.spec?.template?.metadata?.labels;
  for (const [from, to] of requiredPaths) {
    const fromLabels = podLabels(from);
    const toLabels = podLabels(to);
    if (fromLabels && toLabels && !admits(ofKind('NetworkPolicy'), fromLabels, toLabels, servers[to].port)) problems.push(`NetworkPolicy: ${from} cannot reach ${to} on port ${servers[to].port}`);
  }
  if (!ofKind('Job').some((j) => JSON.stringify(j.spec?.template?.spec?.containers ?? []).includes('migrate'))) problems.push('no migration Job');
  const config = ofKind('ConfigMap').find((c) => c.metadata?.name === 'meridian-config')?.data ?? {};
  for (const server of Object.values(servers)) {
    if (config[server.portVar] !== String(server.port)) problems.push(`ConfigMap meridian-config: ${server.portVar} is ${config[server.portVar]}, expected ${server.port}`);
  }
  for (const subgraph of subgraphs) {
    const url = `http://${subgraph}.meridian.svc.cluster.local:${servers[subgraph].port}/graphql`;
    if (config[urlVar(subgraph)] !== url) problems.push(`ConfigMap meridian-config: ${urlVar(subgraph)} is ${config[urlVar(subgraph)]}, expected ${url}`);
  }
  for (const [variable, callers] of Object.entries(internalApiCallers)) {
    const listed = String(config[variable] ?? '').split(',').map((name) => name.trim());
    for (const caller of callers) if (!listed.includes(caller)) problems.push(`ConfigMap meridian-config: ${variable} lacks ${caller}`);
  }
  const jwks = `http://identity.meridian.svc.cluster.local:${servers.identity.port}/.well-known/jwks.json`;
  if (config.IDENTITY_JWKS_URL !== jwks) problems.push(`ConfigMap meridian-config: IDENTITY_JWKS_URL is ${config.IDENTITY_JWKS_URL}, expected ${jwks}`);
  for (const server of Object.values(servers)) {
    if (server.metrics && config[server.metrics.portVar] !== String(server.metrics.port)) {
      problems.push(`ConfigMap meridian-config: ${server.metrics.portVar} is ${config[server.metrics.portVar]}, expected ${server.metrics.port}`);
    }
  }
  const secretKeys = new Set(ofKind('Secret').flatMap((secret) => Object.keys(secret.stringData ?? {}).map((key) => `${secret.metadata?.name}/${key}`)));
  for (const workload of [...deployments, ...ofKind('Job')]) {
    const name = workload.metadata?.name;
    const reads = new Map<string, string>();
    for (const c of workload.spec?.template?.spec?.containers ?? []) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        reads.set(e.name, `${ref.name}/${ref.key}`);
        if (!secretKeys.has(`${ref.name}/${ref.key}`)) problems.push(`${workload.kind} ${name}: reads Secret key ${ref.name}/${ref.key}, which the Secret template lacks`);
        if (String(ref.name).endsWith('-keys') && ref.name !== keySecret(name)) problems.push(`${workload.kind} ${name}: reads another server's private key (${ref.name})`);
      }
    }
    if (workload.kind !== 'Deployment') continue;
    if (signers.includes(name) && reads.get('SERVICE_SIGNING_KEYS') !== `${keySecret(name)}/SERVICE_SIGNING_KEYS`) problems.push(`Deployment ${name}: SERVICE_SIGNING_KEYS is not read from ${keySecret(name)}`);
    if (!signers.includes(name) && reads.has('SERVICE_SIGNING_KEYS')) problems.push(`Deployment ${name}: holds SERVICE_SIGNING_KEYS but signs no service tokens`);
    if (verifiers.includes(name) !== reads.has('SERVICE_TRUSTED_KEYS')) problems.push(`Deployment ${name}: ${verifiers.includes(name) ? 'lacks' : 'has no use for'} SERVICE_TRUSTED_KEYS`);
    if ((name === 'identity') !== reads.has('IDENTITY_SIGNING_KEYS')) problems.push(`Deployment ${name}: IDENTITY_SIGNING_KEYS belongs to identity alone`);
    if (sealers.includes(name) !== reads.has('DATA_PROTECTION_KEYS')) problems.push(`Deployment ${name}: ${sealers.includes(name) ? 'lacks' : 'has no use for'} DATA_PROTECTION_KEYS`);
    if (fileServers.includes(name)) {
      const pod = workload.spec.template.spec;
      const claim = (pod.volumes ?? []).find((v: Doc) => v.persistentVolumeClaim?.claimName === 'meridian-objects');
      const mounted = pod.containers.some((c: Doc) => (c.volumeMounts ?? []).some((m: Doc) => m.name === claim?.name && m.mountPath === OBJECTS));
      const dir = pod.containers.some((c: Doc) => (c.env ?? []).some((e: Doc) => e.name === 'OBJECT_STORE_DIR' && e.value === OBJECTS));
      if (!claim || !mounted || !dir) problems.push(`Deployment ${name}: does not keep files in the meridian-objects volume`);
    }
  }
  const pvc = ofKind('PersistentVolumeClaim').find((c) => c.metadata?.name === 'meridian-objects');
  if (!pvc || !(pvc.spec?.accessModes ?? []).includes('ReadWriteMany')) problems.push('no ReadWriteMany PersistentVolumeClaim meridian-objects for the object store');
  const bffPolicy = ofKind('NetworkPolicy').find((np) => np.spec?.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'bff');
  const metricsRule = bffPolicy?.spec?.ingress?.find((rule: Doc) => (rule.ports ?? []).some((p: Doc) => p.port === 'metrics'));
  if (!metricsRule || !metricsRule.from?.every((peer: Doc) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring')) {
    problems.push('no NetworkPolicy keeps the BFF metrics port to the monitoring namespace');
  }
  if (bffPolicy?.spec?.ingress?.some((rule: Doc) => !rule.ports || rule.ports.length === 0)) problems.push('a BFF NetworkPolicy rule opens every port');
  for (const secret of ofKind('Secret')) {
    if (secret.data) problems.push(`Secret ${secret.metadata.name}: has base64 data; templates use placeholder stringData only`);
    for (const [key, value] of Object.entries<string>(secret.stringData ?? {})) {
      if (!String(value).includes('REPLACE_ME')) problems.push(`Secret ${secret.metadata.name}: ${key} is not a REPLACE_ME placeholder`);
      if (looksLikeKeyMaterial(String(value))) problems.push(`Secret ${secret.metadata.name}: ${key} looks like real key material`);
    }
  }
  return problems;
}

const compose = () => readYaml(path.join(root, 'docker-compose.yml'))[0];
/** A target as Kustomize renders it, with the Secret template (created by hand, never applied) beside it. */
const k8sDocs = (target: K8sTarget = 'base'): K8sDoc[] => [
  ...renderKustomization(path.join(k8sDir, target), k8sDir),
  ...readYaml(path.join(k8sDir, 'base/secret.template.yaml')).map((doc) => ({ file: 'base/secret.template.yaml', doc })),
];

/** Problems in what an overlay makes of the base: its own image, a release pinned in production, and hosts of its own. */
function overlayProblems(rendered: Record<K8sTarget, K8sDoc[]>): string[] {
  const problems: string[] = [];
  const hosts = (target: K8sTarget) => rendered[target].filter((d) => d.doc.kind === 'Ingress').flatMap((d) => (d.doc.spec?.rules ?? []).map((r: Doc) => String(r.host)));
  for (const target of ['overlays/staging', 'overlays/production'] as const) {
    for (const { doc } of rendered[target].filter((d) => d.doc.kind === 'Deployment' || d.doc.kind === 'Job')) {
      for (const c of doc.spec?.template?.spec?.containers ?? []) {
        const image = parseImage(String(c.image));
        if (!image.name.includes('/') || (!image.tag && !image.digest)) problems.push(`${target}: ${doc.kind} ${doc.metadata?.name} runs ${c.image}, not an image from a registry with a tag or digest`);
        else if (target === 'overlays/production' && !image.digest && /^(latest|main|master)$/.test(image.tag ?? '')) {
          problems.push(`${target}: ${doc.kind} ${doc.metadata?.name} runs ${c.image}; production pins a release`);
        }
      }
    }
    for (const ingress of rendered[target].filter((d) => d.doc.kind === 'Ingress')) {
      const ruled = (ingress.doc.spec?.rules ?? []).map((r: Doc) => String(r.host)).sort();
      const covered = (ingress.doc.spec?.tls ?? []).flatMap((tls: Doc) => tls.hosts ?? []).map(String).sort();
      if (JSON.stringify(ruled) !== JSON.stringify(covered)) problems.push(`${target}: Ingress ${ingress.doc.metadata?.name} serves ${ruled.join(', ')} but its certificate covers ${covered.join(', ')}`);
    }
  }
  const shared = hosts('overlays/staging').filter((host) => hosts('overlays/production').includes(host));
  if (shared.length > 0) problems.push(`staging and production share the Ingress hosts ${shared.join(', ')}`);
  return problems;
}

describe('docker-compose.yml', () => {
  it('parses and is consistent with the servers and their ports', () => {
    expect(composeProblems(compose())).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('builds every workspace on node:20-bookworm-slim and runs as a non-root user', () => {
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/node:20-bookworm-slim/);
    expect(dockerfile).toMatch(/npm install/);
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].pop()?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // The dashboard's bundle is built in its own stage and only its output is copied into the image.
    expect(dockerfile).toMatch(/^RUN npm run build -w apps\/web$/m);
    expect(dockerfile).toMatch(/^COPY --from=web \/app\/apps\/web\/dist \.\/apps\/web\/dist$/m);
    const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/.data', '.env']));
  });
});

describe('deploy/k8s', () => {
  it.each(k8sTargets)('%s is consistent: probes, ports, selectors, exposure, scaling, placeholder secrets', (target) => {
    expect(k8sProblems(k8sDocs(target))).toEqual([]);
  });

  it('gives each overlay its own image and hosts, and production a pinned release', () => {
    const rendered = Object.fromEntries(k8sTargets.map((target) => [target, k8sDocs(target)])) as Record<K8sTarget, K8sDoc[]>;
    expect(overlayProblems(rendered)).toEqual([]);
  });

  it('lists only files that exist in the base kustomization, and never the Secret template', () => {
    const kustomization = readYaml(path.join(k8sDir, 'base/kustomization.yaml'))[0];
    for (const file of kustomization.resources) expect(fs.existsSync(path.join(k8sDir, 'base', file))).toBe(true);
    expect(kustomization.resources).not.toContain('secret.template.yaml');
    // Every manifest in the base is rendered: a file left out of the list would never be applied.
    const listed = new Set(kustomization.resources);
    const files = fs.readdirSync(path.join(k8sDir, 'base')).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && f !== 'secret.template.yaml');
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
  });
});

describe('signing services', () => {
  it('are the ones the platform makes keys for (SIGNING_SERVICES)', () => {
    expect([...signers].sort()).toEqual([...SIGNING_SERVICES].sort());
  });
});

describe('the checks themselves', () => {
  it('catch a wrong port, a missing dependency and a missing healthcheck in Compose', () => {
    const broken = compose();
    broken.services['bff-web'].ports = ['4002:4002'];
    broken.services.gateway.depends_on.nowhere = { condition: 'service_healthy' };
    delete broken.services['bff-mobile'].healthcheck;
    const problems = composeProblems(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bff-web: publishes 4002/),
        expect.stringMatching(/^gateway: depends on missing service nowhere/),
        expect.stringMatching(/^bff-mobile: no healthcheck/),
      ]),
    );
  });

  it('catch a wrong probe, an orphaned Service and a real key in a Secret', () => {
    const docs = k8sDocs().map((d) => ({ ...d, doc: structuredClone(d.doc) }));
    const find = (kind: string, name: string) => docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)!.doc;
    find('Deployment', 'gateway').spec.template.spec.containers[0].readinessProbe.httpGet.path = '/';
    find('Service', 'bff-web').spec.selector = { 'app.kubernetes.io/name': 'nothing' };
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    find('Secret', 'meridian-secrets').stringData.IDENTITY_SIGNING_KEYS = `REPLACE_ME ${JSON.stringify({ keys: [jwk] })}`;
    expect(k8sProblems(docs)).toEqual(
      expect.arrayContaining([
        'Deployment gateway: readinessProbe is not GET /health/ready',
        'Service bff-web: selector matches no Deployment\'s pod labels',
        'Secret meridian-secrets: IDENTITY_SIGNING_KEYS looks like real key material',
      ]),
    );
  });

  it('catch a wrong banking port or URL, skipped migrations and an unknown Secret key', () => {
    const broken = compose();
    broken.services.banking.environment.BANKING_PORT = '4203';
    broken.services['bff-web'].environment.BANKING_URL = 'http://banking:4203/graphql';
    delete broken.services.banking.depends_on.migrate;
    expect(composeProblems(broken)).toEqual(
      expect.arrayContaining([
        'banking: BANKING_PORT is 4203, expected 4202',
        'bff-web: BANKING_URL is http://banking:4203/graphql, expected http://banking:4202/graphql',
        'banking does not wait for migrations to complete',
      ]),
    );
    const docs = k8sDocs().map((d) => ({ ...d, doc: structuredClone(d.doc) }));
    const find = (kind: string, name: string) => docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)!.doc;
    const banking = find('Deployment', 'banking').spec.template;
    banking.spec.containers[0].ports[0].containerPort = 4203;
    banking.spec.containers[0].env.find((e: Doc) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.key = 'BANKING_DATABASE_URL';
    banking.metadata.labels['app.kubernetes.io/component'] = 'ledger';
    find('ConfigMap', 'meridian-config').data.BANKING_URL = 'http://banking.meridian.svc.cluster.local:4203/graphql';
    expect(k8sProblems(docs)).toEqual(
      expect.arrayContaining([
        'Deployment banking: container port is not 4202',
        'Deployment banking: reads Secret key meridian-secrets/BANKING_DATABASE_URL, which the Secret template lacks',
        'NetworkPolicy: gateway cannot reach banking on port 4202',
        'NetworkPolicy: banking cannot reach identity on port 4201',
        'ConfigMap meridian-config: BANKING_URL is http://banking.meridian.svc.cluster.local:4203/graphql, expected http://banking.meridian.svc.cluster.local:4202/graphql',
      ]),
    );
  });

  it('catch a shared signing key, a key for the wrong server, a public metrics path and an open metrics port', () => {
    const broken = compose();
    broken.services['bff-mobile'].environment.SERVICE_SIGNING_KEYS = '${GATEWAY_SERVICE_SIGNING_KEYS:?x}';
    broken.services.banking.environment.SERVICE_SIGNING_KEYS = '${GATEWAY_SERVICE_SIGNING_KEYS:?x}';
    delete broken.services['bff-web'].environment.WEB_BFF_METRICS_PORT;
    expect(composeProblems(broken)).toEqual(
      expect.arrayContaining([
        'bff-mobile: SERVICE_SIGNING_KEYS is not its own BFF_MOBILE_SERVICE_SIGNING_KEYS',
        'banking: holds SERVICE_SIGNING_KEYS but signs no service tokens',
        'bff-web: WEB_BFF_METRICS_PORT is undefined, expected 9400',
      ]),
    );
    const docs = k8sDocs().map((d) => ({ ...d, doc: structuredClone(d.doc) }));
    const find = (kind: string, name: string) => docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)!.doc;
    const web = find('Deployment', 'bff-web').spec.template;
    web.spec.containers[0].env.find((e: Doc) => e.name === 'SERVICE_SIGNING_KEYS').valueFrom.secretKeyRef.name = 'meridian-gateway-keys';
    web.metadata.annotations['prometheus.io/port'] = '4000';
    find('Ingress', 'meridian').spec.rules[1].http.paths[0].path = '/';
    find('Service', 'bff-mobile').spec.ports.push({ name: 'metrics', port: 9401, targetPort: 'metrics' });
    find('NetworkPolicy', 'bffs-clients-and-metrics').spec.ingress[1].from = [{ podSelector: {} }];
    // A webhook route that takes the rest of KYC's paths with it, KYC's GraphQL made public, and the payments webhook cut off.
    const apiPaths = find('Ingress', 'meridian').spec.rules[1].http.paths;
    apiPaths.find((p: Doc) => p.path === '/webhooks/verification').pathType = 'Prefix';
    apiPaths.push({ path: '/kyc-graphql', pathType: 'Exact', backend: { service: { name: 'kyc', port: { number: 4203 } } } });
    find('NetworkPolicy', 'provider-webhooks-from-ingress').spec.podSelector.matchExpressions[0].values = ['kyc'];
    expect(k8sProblems(docs)).toEqual(
      expect.arrayContaining([
        'Ingress meridian: /webhooks/verification must be Exact, not Prefix',
        "Ingress meridian: exposes /kyc-graphql of kyc; only the BFFs and the providers' webhooks are public",
        "NetworkPolicy: the ingress controller cannot reach payments's webhook",
      ]),
    );
    expect(k8sProblems(docs)).toEqual(
      expect.arrayContaining([
        "Deployment bff-web: reads another server's private key (meridian-gateway-keys)",
        'Deployment bff-web: SERVICE_SIGNING_KEYS is not read from meridian-bff-web-keys',
        'Deployment bff-web: Prometheus scrapes port 4000, expected 9400',
        'Ingress meridian: routes / to bff-mobile, which clients do not use',
        'Service bff-mobile: exposes the internal metrics port',
        'no NetworkPolicy keeps the BFF metrics port to the monitoring namespace',
      ]),
    );
  });

  it('catch payments without its own key, data keys or a way to the APIs it calls, and a subgraph left open', () => {
    const broken = compose();
    broken.services.payments.environment.SERVICE_SIGNING_KEYS = '${GATEWAY_SERVICE_SIGNING_KEYS:?x}';
    delete broken.services.payments.environment.DATA_PROTECTION_KEYS;
    delete broken.services['bff-web'].depends_on.payments;
    expect(composeProblems(broken)).toEqual(
      expect.arrayContaining([
        'payments: SERVICE_SIGNING_KEYS is not its own PAYMENTS_SERVICE_SIGNING_KEYS',
        'payments: lacks DATA_PROTECTION_KEYS',
        'bff-web: does not wait for payments to be healthy',
      ]),
    );
    const docs = k8sDocs()
      .map((d) => ({ ...d, doc: structuredClone(d.doc) }))
      .filter((d) => !(d.doc.kind === 'NetworkPolicy' && d.doc.metadata.name === 'internal-apis-from-payments'));
    const find = (kind: string, name: string) => docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)!.doc;
    const payments = find('Deployment', 'payments').spec.template.spec.containers[0];
    payments.env.find((e: Doc) => e.name === 'SERVICE_SIGNING_KEYS').valueFrom.secretKeyRef.name = 'meridian-gateway-keys';
    find('Deployment', 'kyc').spec.template.metadata.labels['app.kubernetes.io/component'] = 'verification';
    find('NetworkPolicy', 'provider-webhooks-from-ingress').spec.podSelector.matchExpressions[0].values = ['payments'];
    const problems = k8sProblems(docs);
    expect(problems).toEqual(
      expect.arrayContaining([
        "Deployment payments: reads another server's private key (meridian-gateway-keys)",
        'NetworkPolicy: payments cannot reach banking on port 4202',
        'no NetworkPolicy selects the kyc pods',
      ]),
    );
    // identity stays reachable for its JWKS; kyc, now selected by no policy, is open to everyone.
    expect(problems).not.toContain('NetworkPolicy: payments cannot reach identity on port 4201');
    expect(problems).not.toContain('NetworkPolicy: payments cannot reach kyc on port 4203');
  });

  it('catch insights without its own key or its way to the ledger, a BFF without INSIGHTS_URL, a caller left off an allow-list and an unrouted export', () => {
    const broken = compose();
    broken.services.insights.environment.SERVICE_SIGNING_KEYS = '${PAYMENTS_SERVICE_SIGNING_KEYS:?x}';
    broken.services.insights.environment.DATA_PROTECTION_KEYS = '${DATA_PROTECTION_KEYS:?x}';
    delete broken.services['bff-mobile'].environment.INSIGHTS_URL;
    delete broken.services.gateway.depends_on.insights;
    expect(composeProblems(broken)).toEqual(
      expect.arrayContaining([
        'insights: SERVICE_SIGNING_KEYS is not its own INSIGHTS_SERVICE_SIGNING_KEYS',
        'insights: holds DATA_PROTECTION_KEYS but keeps no personal data',
        'bff-mobile: INSIGHTS_URL is undefined, expected http://insights:4205/graphql',
        'gateway: does not wait for insights to be healthy',
      ]),
    );
    const docs = k8sDocs()
      .map((d) => ({ ...d, doc: structuredClone(d.doc) }))
      .filter((d) => !(d.doc.kind === 'NetworkPolicy' && d.doc.metadata.name === 'ledger-reads-from-insights'));
    const find = (kind: string, name: string) => docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)!.doc;
    const insights = find('Deployment', 'insights').spec.template.spec.containers[0];
    insights.env = insights.env.filter((e: Doc) => e.name !== 'SERVICE_SIGNING_KEYS');
    const config = find('ConfigMap', 'meridian-config').data;
    config.LEDGER_READ_CALLERS = 'reporting';
    config.INSIGHTS_API_CALLERS = 'bff-web';
    delete config.INSIGHTS_URL;
    const mobileHost = find('Ingress', 'meridian').spec.rules[1].http;
    mobileHost.paths = mobileHost.paths.filter((p: Doc) => p.path !== '/exports/transactions.csv');
    const problems = k8sProblems(docs);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Deployment insights: SERVICE_SIGNING_KEYS is not read from meridian-insights-keys',
        'NetworkPolicy: insights cannot reach banking on port 4202',
        'ConfigMap meridian-config: LEDGER_READ_CALLERS lacks insights',
        'ConfigMap meridian-config: INSIGHTS_API_CALLERS lacks bff-mobile',
        'ConfigMap meridian-config: INSIGHTS_URL is undefined, expected http://insights.meridian.svc.cluster.local:4205/graphql',
        'Ingress: no route for /exports/transactions.csv to bff-mobile',
      ]),
    );
    // The gateway and the BFFs still reach insights, and insights identity's JWKS.
    expect(problems).not.toContain('NetworkPolicy: bff-web cannot reach insights on port 4205');
    expect(problems).not.toContain('NetworkPolicy: insights cannot reach identity on port 4201');
  });

  it('catch a gateway open to every pod, and a dashboard screen or the app root routed wrongly', () => {
    const docs = k8sDocs()
      .map((d) => ({ ...d, doc: structuredClone(d.doc) }))
      .filter((d) => !(d.doc.kind === 'NetworkPolicy' && d.doc.metadata.name === 'gateway-from-bffs'));
    const ingress = docs.find((d) => d.doc.kind === 'Ingress')!.doc;
    const web = ingress.spec.rules[0].http;
    web.paths = web.paths.filter((p: Doc) => p.path !== '/devices');
    web.paths.find((p: Doc) => p.path === '/').pathType = 'Prefix';
    expect(k8sProblems(docs)).toEqual(
      expect.arrayContaining([
        'no NetworkPolicy selects the gateway pods',
        'Ingress: no route for /devices to bff-web',
        'Ingress meridian: / must be Exact, not Prefix',
      ]),
    );
  });

  it('catch BFF workers that do not match their cores, memory or Redis', () => {
    const broken = compose();
    broken.services['bff-web'].environment.BFF_WORKERS = 'auto';
    broken.services['bff-mobile'].cpus = '1';
    broken.services.banking.environment.BFF_WORKERS = '2';
    expect(composeProblems(broken)).toEqual(
      expect.arrayContaining([
        'bff-web: BFF_WORKERS is auto; give a whole number',
        'bff-mobile: 2 workers on 1 CPUs',
        'banking: sets BFF_WORKERS, which only the BFFs read',
      ]),
    );
    const docs = k8sDocs().map((d) => ({ ...d, doc: structuredClone(d.doc) }));
    const container = (name: string) => docs.find((d) => d.doc.kind === 'Deployment' && d.doc.metadata.name === name)!.doc.spec.template.spec.containers[0];
    const web = container('bff-web');
    web.env.find((e: Doc) => e.name === 'BFF_WORKERS').value = '4';
    web.env = web.env.filter((e: Doc) => e.name !== 'REDIS_URL');
    const mobile = container('bff-mobile');
    mobile.resources.limits = { cpu: '1500m', memory: '1Gi' };
    expect(k8sProblems(docs)).toEqual(
      expect.arrayContaining([
        'Deployment bff-web: BFF_WORKERS is 4 but requests.cpu is 2; request a core per worker',
        'Deployment bff-web: limits.memory 1408Mi is below 4 workers of 480Mi heap (2560Mi)',
        'Deployment bff-web: 4 workers without REDIS_URL',
        'Deployment bff-mobile: limits.cpu 1500m is below requests.cpu',
        'Deployment bff-mobile: limits.memory 1Gi is below 2 workers of 480Mi heap (1344Mi)',
      ]),
    );
    container('bff-web').env = container('bff-web').env.filter((e: Doc) => e.name !== 'BFF_WORKERS');
    expect(k8sProblems(docs)).toContain('Deployment bff-web: BFF_WORKERS is not set next to its resources');
  });

  it('catch a missing or misdirected autoscaler, a budget or spread over the wrong pods, a fixed replica count and memory below the heap', () => {
    const docs = k8sDocs('overlays/production')
      .map((d) => ({ ...d, doc: structuredClone(d.doc) }))
      .filter((d) => !(d.doc.kind === 'HorizontalPodAutoscaler' && d.doc.metadata.name === 'banking'));
    const find = (kind: string, name: string) => docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)!.doc;
    find('HorizontalPodAutoscaler', 'payments').spec.scaleTargetRef.name = 'paymnts';
    find('HorizontalPodAutoscaler', 'kyc').spec.minReplicas = 1;
    find('HorizontalPodAutoscaler', 'identity').spec.metrics = [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } }];
    find('PodDisruptionBudget', 'insights').spec.selector = { matchLabels: { 'app.kubernetes.io/component': 'subgraph' } };
    find('PodDisruptionBudget', 'gateway').spec = { minAvailable: 2, selector: find('PodDisruptionBudget', 'gateway').spec.selector };
    const gateway = find('Deployment', 'gateway').spec.template.spec;
    gateway.topologySpreadConstraints[0].whenUnsatisfiable = 'DoNotSchedule';
    gateway.topologySpreadConstraints[1].labelSelector = { matchLabels: { 'app.kubernetes.io/part-of': 'meridian' } };
    find('Deployment', 'bff-web').spec.template.spec.topologySpreadConstraints.pop();
    find('Deployment', 'kyc').spec.replicas = 3;
    find('Deployment', 'banking').spec.template.spec.containers[0].resources.limits.memory = '512Mi';
    expect(k8sProblems(docs)).toEqual(
      expect.arrayContaining([
        'Deployment banking: 0 HorizontalPodAutoscalers target it, expected 1',
        'HorizontalPodAutoscaler payments: targets apps/v1 Deployment paymnts, which is not a Deployment here',
        'Deployment payments: 0 HorizontalPodAutoscalers target it, expected 1',
        'HorizontalPodAutoscaler kyc: minReplicas 1; at least 2 keep it up through a rollout or a lost node',
        'HorizontalPodAutoscaler identity: no CPU utilisation target between 1 and 100 %',
        'PodDisruptionBudget insights: also selects the pods of banking',
        'Deployment banking: 2 PodDisruptionBudgets select its pods, expected 1',
        'PodDisruptionBudget gateway: expected maxUnavailable: 1 or minAvailable: 1, got {"minAvailable":2}',
        'Deployment gateway: the zone spread is DoNotSchedule, expected ScheduleAnyway (a cluster with one zone must still schedule)',
        'Deployment gateway: the spread over kubernetes.io/hostname also counts the pods of identity',
        'Deployment bff-web: no topology spread over kubernetes.io/hostname',
        'Deployment kyc: sets replicas, which its HorizontalPodAutoscaler owns (an apply would reset it)',
        'Deployment banking: limits.memory 512Mi is below its heap of 432Mi and 128Mi beside it (560Mi)',
      ]),
    );
  });

  it('catch an overlay running the base image, production on a moving tag, shared hosts and a certificate for other hosts', () => {
    const rendered = Object.fromEntries(k8sTargets.map((target) => [target, k8sDocs(target).map((d) => ({ ...d, doc: structuredClone(d.doc) }))])) as Record<K8sTarget, K8sDoc[]>;
    const find = (target: K8sTarget, kind: string, name: string) => rendered[target].find((d) => d.doc.kind === kind && d.doc.metadata.name === name)!.doc;
    find('overlays/staging', 'Deployment', 'kyc').spec.template.spec.containers[0].image = 'meridian';
    find('overlays/production', 'Deployment', 'banking').spec.template.spec.containers[0].image = 'registry.example.com/meridian:latest';
    const stagingIngress = find('overlays/staging', 'Ingress', 'meridian');
    stagingIngress.spec.rules[1].host = find('overlays/production', 'Ingress', 'meridian').spec.rules[1].host;
    expect(overlayProblems(rendered)).toEqual(
      expect.arrayContaining([
        'overlays/staging: Deployment kyc runs meridian, not an image from a registry with a tag or digest',
        'overlays/production: Deployment banking runs registry.example.com/meridian:latest; production pins a release',
        'overlays/staging: Ingress meridian serves api.meridian.example, app.staging.meridian.example but its certificate covers api.staging.meridian.example, app.staging.meridian.example',
        'staging and production share the Ingress hosts api.meridian.example',
      ]),
    );
  });

  it('treat the generated key format as key material', () => {
    const { d } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    expect(looksLikeKeyMaterial(String(d))).toBe(true);
    expect(looksLikeKeyMaterial('REPLACE_ME_PRIVATE_SERVICE_JWKS')).toBe(false);
    expect(looksLikeKeyMaterial('postgres://REPLACE_ME_USER:REPLACE_ME_PASSWORD@REPLACE_ME_HOST:5432/meridian')).toBe(false);
  });
});
