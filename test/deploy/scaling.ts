/**
 * How the manifest checks (manifests.test.ts) read what keeps a server up and scaled: a
 * HorizontalPodAutoscaler and a PodDisruptionBudget per Deployment, topology spread over
 * zones and nodes, and a memory limit above what the server's heap may take.
 */
import { cpuCores, memoryBytes, WORKER_OVERHEAD_BYTES, workerHeapBytes } from './bff-sizing';
import { selects } from './network-policy';

// Parsed YAML is untyped; the functions read it defensively.
type Doc = any;

const MI = 1024 * 1024;
const ZONE = 'topology.kubernetes.io/zone';
const NODE = 'kubernetes.io/hostname';

const podLabels = (deployment: Doc): Record<string, string> => deployment?.spec?.template?.metadata?.labels ?? {};

/**
 * Problems in how every Deployment scales and survives disruption: exactly one autoscaling/v2 HPA
 * targets it (CPU utilisation, at least 2 replicas) and owns its replica count; exactly one
 * policy/v1 PDB selects its pods and no other's, letting one pod go at a time; its pods spread over
 * zones (ScheduleAnyway) and nodes with selectors that pick its own pods only.
 */
export function scalingProblems(docs: Doc[]): string[] {
  const problems: string[] = [];
  const deployments = docs.filter((d) => d.kind === 'Deployment');
  const hpas = docs.filter((d) => d.kind === 'HorizontalPodAutoscaler');
  const pdbs = docs.filter((d) => d.kind === 'PodDisruptionBudget');
  const others = (name: string) => deployments.filter((d) => d.metadata?.name !== name);

  for (const hpa of hpas) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = deployments.find((d) => d.metadata?.name === ref.name);
    if (ref.kind !== 'Deployment' || ref.apiVersion !== 'apps/v1' || !target) {
      problems.push(`HorizontalPodAutoscaler ${hpa.metadata?.name}: targets ${ref.apiVersion} ${ref.kind} ${ref.name}, which is not a Deployment here`);
    }
  }
  for (const pdb of pdbs) {
    if (!deployments.some((d) => selects(pdb.spec?.selector, podLabels(d)))) problems.push(`PodDisruptionBudget ${pdb.metadata?.name}: selects no Deployment's pods`);
  }

  for (const deployment of deployments) {
    const name = deployment.metadata?.name;
    const labels = podLabels(deployment);
    if (deployment.spec?.replicas !== undefined) problems.push(`Deployment ${name}: sets replicas, which its HorizontalPodAutoscaler owns (an apply would reset it)`);

    const mine = hpas.filter((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === name);
    if (mine.length !== 1) problems.push(`Deployment ${name}: ${mine.length} HorizontalPodAutoscalers target it, expected 1`);
    for (const hpa of mine) {
      const spec = hpa.spec ?? {};
      if (hpa.apiVersion !== 'autoscaling/v2') problems.push(`HorizontalPodAutoscaler ${hpa.metadata?.name}: apiVersion ${hpa.apiVersion}, expected autoscaling/v2`);
      if (!(spec.minReplicas >= 2)) problems.push(`HorizontalPodAutoscaler ${hpa.metadata?.name}: minReplicas ${spec.minReplicas}; at least 2 keep it up through a rollout or a lost node`);
      if (!(spec.maxReplicas >= spec.minReplicas)) problems.push(`HorizontalPodAutoscaler ${hpa.metadata?.name}: maxReplicas ${spec.maxReplicas} is below minReplicas ${spec.minReplicas}`);
      const cpu = (spec.metrics ?? []).find((m: Doc) => m.type === 'Resource' && m.resource?.name === 'cpu');
      const utilisation = cpu?.resource?.target?.averageUtilization;
      if (cpu?.resource?.target?.type !== 'Utilization' || !(utilisation > 0 && utilisation <= 100)) {
        problems.push(`HorizontalPodAutoscaler ${hpa.metadata?.name}: no CPU utilisation target between 1 and 100 %`);
      }
      for (const c of deployment.spec?.template?.spec?.containers ?? []) {
        if (!(cpuCores(c.resources?.requests?.cpu) > 0)) problems.push(`Deployment ${name}: container ${c.name} requests no CPU, which CPU utilisation is measured against`);
      }
    }

    const budgets = pdbs.filter((p) => selects(p.spec?.selector, labels));
    if (budgets.length !== 1) problems.push(`Deployment ${name}: ${budgets.length} PodDisruptionBudgets select its pods, expected 1`);
    for (const pdb of budgets) {
      if (pdb.apiVersion !== 'policy/v1') problems.push(`PodDisruptionBudget ${pdb.metadata?.name}: apiVersion ${pdb.apiVersion}, expected policy/v1`);
      const { maxUnavailable, minAvailable } = pdb.spec ?? {};
      if (!((maxUnavailable === 1 && minAvailable === undefined) || (minAvailable === 1 && maxUnavailable === undefined))) {
        problems.push(`PodDisruptionBudget ${pdb.metadata?.name}: expected maxUnavailable: 1 or minAvailable: 1, got ${JSON.stringify({ maxUnavailable, minAvailable })}`);
      }
      for (const other of others(name)) {
        if (selects(pdb.spec?.selector, podLabels(other))) problems.push(`PodDisruptionBudget ${pdb.metadata?.name}: also selects the pods of ${other.metadata?.name}`);
      }
    }

    const spread: Doc[] = deployment.spec?.template?.spec?.topologySpreadConstraints ?? [];
    const zone = spread.find((s) => s.topologyKey === ZONE);
    const node = spread.find((s) => s.topologyKey === NODE);
    if (!zone) problems.push(`Deployment ${name}: no topology spread over ${ZONE}`);
    else if (zone.whenUnsatisfiable !== 'ScheduleAnyway') problems.push(`Deployment ${name}: the zone spread is ${zone.whenUnsatisfiable}, expected ScheduleAnyway (a cluster with one zone must still schedule)`);
    if (!node) problems.push(`Deployment ${name}: no topology spread over ${NODE}`);
    for (const constraint of spread) {
      if (!(constraint.maxSkew >= 1)) problems.push(`Deployment ${name}: the spread over ${constraint.topologyKey} has no maxSkew`);
      if (!selects(constraint.labelSelector, labels) || Object.keys(constraint.labelSelector?.matchLabels ?? {}).length === 0) {
        problems.push(`Deployment ${name}: the spread over ${constraint.topologyKey} does not select its own pods`);
      }
      for (const other of others(name)) {
        if (selects(constraint.labelSelector, podLabels(other))) problems.push(`Deployment ${name}: the spread over ${constraint.topologyKey} also counts the pods of ${other.metadata?.name}`);
      }
    }
  }
  return problems;
}

/**
 * Problems of a single-process server's container: its memory limit must hold the most its V8 heap
 * may take plus what Node needs beside it (the BFFs' workers are checked by bff-sizing.ts), so V8
 * reaches its own limit before the kernel kills the container; and the request may not exceed the limit.
 */
export function serverMemoryProblems(name: string, container: Doc): string[] {
  const env = new Map<string, Doc>((container?.env ?? []).map((e: Doc) => [e.name, e]));
  const heap = workerHeapBytes(String(env.get('NODE_OPTIONS')?.value ?? ''));
  if (heap === undefined) return [`Deployment ${name}: NODE_OPTIONS sets no --max-old-space-size, so its memory has no bound`];
  const problems: string[] = [];
  const limit = memoryBytes(container?.resources?.limits?.memory);
  const needed = heap + WORKER_OVERHEAD_BYTES;
  if (!(limit >= needed)) problems.push(`Deployment ${name}: limits.memory ${container?.resources?.limits?.memory} is below its heap of ${heap / MI}Mi and 128Mi beside it (${needed / MI}Mi)`);
  if (!(memoryBytes(container?.resources?.requests?.memory) <= limit)) problems.push(`Deployment ${name}: requests.memory is above limits.memory`);
  if (!(cpuCores(container?.resources?.requests?.cpu) <= cpuCores(container?.resources?.limits?.cpu))) problems.push(`Deployment ${name}: requests.cpu is above limits.cpu`);
  return problems;
}
