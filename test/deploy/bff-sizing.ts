/**
 * How the manifest checks (manifests.test.ts) read a BFF's process count (BFF_WORKERS) against
 * what its container is given: a worker per requested core, memory for every worker's heap,
 * and Redis for the state the workers share.
 */

// Parsed YAML is untyped; the functions read it defensively.
type Doc = any;

const MI = 1024 * 1024;
/** What a worker needs beyond its heap (code, buffers, native memory), and what the primary needs in all. */
export const WORKER_OVERHEAD_BYTES = 128 * MI;
export const PRIMARY_BYTES = 128 * MI;
/** V8's largest semi-space on 64-bit when NODE_OPTIONS leaves it unset (`--max-semi-space-size`). */
export const DEFAULT_SEMI_SPACE_MI = 16;

/** The most a worker's V8 heap may take, in bytes: the old space plus the young generation (three semi-spaces at most). */
export function workerHeapBytes(nodeOptions: string): number | undefined {
  const oldSpace = /--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1];
  if (!oldSpace) return undefined;
  const semiSpace = Number(/--max-semi-space-size=(\d+)/.exec(nodeOptions)?.[1] ?? DEFAULT_SEMI_SPACE_MI);
  return (Number(oldSpace) + 3 * semiSpace) * MI;
}

/** A Kubernetes CPU quantity (`2`, `"1.5"`, `500m`) in cores; NaN when unreadable. */
export function cpuCores(quantity: unknown): number {
  const text = String(quantity ?? '');
  if (/^\d+(\.\d+)?m$/.test(text)) return Number(text.slice(0, -1)) / 1000;
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
}

/** A Kubernetes memory quantity (`512Mi`, `1Gi`, `1G`, bytes) in bytes; NaN when unreadable. */
export function memoryBytes(quantity: unknown): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(quantity ?? ''));
  if (!match) return NaN;
  const unit = { Ki: 1024, Mi: MI, Gi: 1024 * MI, K: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

/** BFF_WORKERS as the server reads it: unset is 1; `auto` and anything else not a whole number come back as NaN. */
export function workersSetting(value: unknown): number {
  if (value === undefined || value === '') return 1;
  return /^\d+$/.test(String(value)) && Number(value) >= 1 ? Number(value) : NaN;
}

/** Problems of one BFF container in a Deployment: its worker count against its resources, heap and Redis. */
export function bffContainerSizingProblems(name: string, container: Doc): string[] {
  const problems: string[] = [];
  const env = new Map<string, Doc>((container?.env ?? []).map((e: Doc) => [e.name, e]));
  const setting = env.get('BFF_WORKERS')?.value;
  if (setting === undefined) return [`Deployment ${name}: BFF_WORKERS is not set next to its resources`];
  const workers = workersSetting(setting);
  if (Number.isNaN(workers)) return [`Deployment ${name}: BFF_WORKERS is ${setting}; give a whole number (auto counts the node's cores, not the pod's)`];
  const requested = cpuCores(container?.resources?.requests?.cpu);
  const limit = cpuCores(container?.resources?.limits?.cpu);
  if (requested !== workers) problems.push(`Deployment ${name}: BFF_WORKERS is ${workers} but requests.cpu is ${container?.resources?.requests?.cpu}; request a core per worker`);
  if (!(limit >= requested)) problems.push(`Deployment ${name}: limits.cpu ${container?.resources?.limits?.cpu} is below requests.cpu`);
  const heap = workerHeapBytes(String(env.get('NODE_OPTIONS')?.value ?? ''));
  if (heap === undefined) problems.push(`Deployment ${name}: NODE_OPTIONS sets no --max-old-space-size, so the memory of its workers has no bound`);
  else {
    const needed = workers * (heap + WORKER_OVERHEAD_BYTES) + PRIMARY_BYTES;
    const memoryLimit = memoryBytes(container?.resources?.limits?.memory);
    if (!(memoryLimit >= needed)) {
      problems.push(`Deployment ${name}: limits.memory ${container?.resources?.limits?.memory} is below ${workers} workers of ${heap / MI}Mi heap (${needed / MI}Mi)`);
    }
  }
  if (workers > 1 && !env.has('REDIS_URL')) problems.push(`Deployment ${name}: ${workers} workers without REDIS_URL`);
  return problems;
}

/** Problems of one BFF service in docker-compose.yml: a readable worker count, Redis for more than one, and no more workers than `cpus`. */
export function bffComposeSizingProblems(name: string, service: Doc): string[] {
  const problems: string[] = [];
  const setting = service?.environment?.BFF_WORKERS;
  const workers = workersSetting(setting);
  if (Number.isNaN(workers)) return [`${name}: BFF_WORKERS is ${setting}; give a whole number`];
  if (workers > 1 && !service?.environment?.REDIS_URL) problems.push(`${name}: ${workers} workers without REDIS_URL`);
  const cpus = service?.cpus ?? service?.deploy?.resources?.limits?.cpus;
  if (cpus !== undefined && workers > Number(cpus)) problems.push(`${name}: ${workers} workers on ${cpus} CPUs`);
  return problems;
}
