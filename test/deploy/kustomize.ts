/**
 * The part of Kustomize that deploy/k8s uses, so the manifest checks (manifests.test.ts) read each
 * overlay as `kubectl apply -k` would apply it, with no kubectl: `resources` (files and
 * directories), `patches` (strategic merge patches matched by kind and name, and JSON 6902
 * patches with a target), `namespace` and `images`, applied in Kustomize's order (patches, then
 * the namespace, then images). Any other field of a kustomization is refused rather than ignored,
 * so a rendering never silently differs from Kustomize's; where kubectl is installed, the test
 * compares the two.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

// Parsed YAML is untyped; the functions read it defensively.
type Doc = any;

/** A rendered resource and the file it came from (relative to the directory rendering started in). */
export interface RenderedDoc {
  file: string;
  doc: Doc;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'metadata', 'resources', 'patches', 'namespace', 'images']);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Kinds that live outside any namespace: the namespace transformer leaves them alone (and renames a Namespace). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass',
  'PriorityClass', 'IngressClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService',
]);

/**
 * List fields merged item by item (the Kubernetes types' patch merge keys), by the path of field
 * names that leads to them; every other list is replaced by the patch's, as Kustomize does.
 */
const MERGE_KEYS: [pattern: RegExp, key: string][] = [
  [/(^|\.)(containers|initContainers)$/, 'name'],
  [/(^|\.)(containers|initContainers)\.env$/, 'name'],
  [/(^|\.)(containers|initContainers)\.ports$/, 'containerPort'],
  [/(^|\.)(containers|initContainers)\.volumeMounts$/, 'mountPath'],
  [/(^|\.)spec\.volumes$/, 'name'],
  [/(^|\.)spec\.imagePullSecrets$/, 'name'],
  [/(^|\.)spec\.topologySpreadConstraints$/, 'topologyKey'],
  [/^spec\.ports$/, 'port'],
];

const isMap = (value: unknown): value is Record<string, Doc> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readDocs(file: string): Doc[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return docs.map((doc) => doc.toJS()).filter((doc) => doc != null);
}

/** Renders the kustomization in `dir` (and every kustomization it names) into its resources. */
export function renderKustomization(dir: string, root: string = dir): RenderedDoc[] {
  const file = KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((candidate) => fs.existsSync(candidate));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const [kustomization] = readDocs(file);
  for (const field of Object.keys(kustomization ?? {})) {
    if (!SUPPORTED.has(field)) throw new Error(`${file}: "${field}" is not rendered by test/deploy/kustomize.ts; add it there first`);
  }
  const docs: RenderedDoc[] = [];
  for (const resource of kustomization.resources ?? []) {
    if (/^[a-z]+:\/\//i.test(resource)) throw new Error(`${file}: remote resource ${resource} is not rendered`);
    const target = path.resolve(dir, resource);
    if (fs.statSync(target).isDirectory()) docs.push(...renderKustomization(target, root));
    else docs.push(...readDocs(target).map((doc) => ({ file: path.relative(root, target), doc })));
  }
  for (const entry of kustomization.patches ?? []) applyPatchEntry(docs, entry, dir, file);
  if (kustomization.namespace) for (const { doc } of docs) setNamespace(doc, kustomization.namespace);
  for (const image of kustomization.images ?? []) for (const { doc } of docs) setImages(doc, image);
  return docs;
}

function applyPatchEntry(docs: RenderedDoc[], entry: Doc, dir: string, file: string): void {
  const patches = entry.path ? readDocs(path.resolve(dir, entry.path)) : parseAllDocuments(String(entry.patch ?? '')).map((d) => d.toJS()).filter((d) => d != null);
  if (patches.length === 0) throw new Error(`${file}: a patch entry has neither path nor patch`);
  for (const patch of patches) {
    if (Array.isArray(patch)) {
      if (!entry.target) throw new Error(`${file}: a JSON 6902 patch (${entry.path ?? 'inline'}) needs a target`);
      const matched = docs.filter(({ doc }) => matchesTarget(doc, entry.target));
      if (matched.length === 0) throw new Error(`${file}: target ${JSON.stringify(entry.target)} matches no resource`);
      for (const m of matched) m.doc = applyJsonPatch(m.doc, patch);
      continue;
    }
    const selector = entry.target ?? { group: groupOf(patch.apiVersion), kind: patch.kind, name: patch.metadata?.name, namespace: patch.metadata?.namespace };
    const matched = docs.filter(({ doc }) => matchesTarget(doc, selector));
    if (matched.length === 0) throw new Error(`${file}: patch for ${patch.kind} ${patch.metadata?.name} matches no resource`);
    for (const m of matched) {
      // A patch matched through a target may carry another object's name; the resource keeps its own.
      const body = entry.target ? { ...patch, metadata: { ...patch.metadata, name: m.doc.metadata?.name, namespace: m.doc.metadata?.namespace } } : patch;
      m.doc = strategicMerge(m.doc, body, '');
    }
  }
}

const groupOf = (apiVersion: unknown) => (String(apiVersion ?? '').includes('/') ? String(apiVersion).split('/')[0] : '');
const versionOf = (apiVersion: unknown) => String(apiVersion ?? '').split('/').pop();

/** Whether a resource is selected by a patch target (kind, name and namespace as anchored patterns, group, version). */
function matchesTarget(doc: Doc, target: Doc): boolean {
  const pattern = (value: unknown) => new RegExp(`^(?:${String(value)})$`);
  if (target.kind !== undefined && !pattern(target.kind).test(doc.kind)) return false;
  if (target.name !== undefined && !pattern(target.name).test(doc.metadata?.name ?? '')) return false;
  if (target.namespace !== undefined && !pattern(target.namespace).test(doc.metadata?.namespace ?? '')) return false;
  if (target.group !== undefined && target.group !== groupOf(doc.apiVersion)) return false;
  if (target.version !== undefined && target.version !== versionOf(doc.apiVersion)) return false;
  if (target.labelSelector !== undefined || target.annotationSelector !== undefined) throw new Error('patch targets by label or annotation are not rendered');
  return true;
}

/**
 * A strategic merge patch, as Kustomize applies one: maps merge, `null` deletes a key, lists with
 * a merge key merge item by item (the patch's items first, in its order, then the rest of the
 * original's; `$patch: delete` on an item removes it), any other list is replaced.
 */
export function strategicMerge(original: Doc, patch: Doc, fieldPath: string): Doc {
  if (!isMap(patch)) return patch;
  const directive = patch.$patch;
  if (directive === 'replace') return Object.fromEntries(Object.entries(patch).filter(([k]) => k !== '$patch'));
  if (directive !== undefined && directive !== 'merge') throw new Error(`$patch: ${directive} at ${fieldPath || 'the top'} is not rendered`);
  const result: Record<string, Doc> = isMap(original) ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (key.startsWith('$')) throw new Error(`directive ${key} at ${fieldPath || 'the top'} is not rendered`);
    const childPath = fieldPath ? `${fieldPath}.${key}` : key;
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(result[key], value, childPath);
    else if (isMap(value)) result[key] = strategicMerge(result[key], value, childPath);
    else result[key] = value;
  }
  return result;
}

function mergeList(original: Doc, patch: Doc[], fieldPath: string): Doc[] {
  const key = MERGE_KEYS.find(([pattern]) => pattern.test(fieldPath))?.[1];
  if (!key || !Array.isArray(original)) return patch.filter((item) => !(isMap(item) && item.$patch === 'delete'));
  const rest = [...original];
  const merged: Doc[] = [];
  for (const item of patch) {
    const at = rest.findIndex((o) => isMap(o) && isMap(item) && o[key] === item[key]);
    const before = at >= 0 ? rest.splice(at, 1)[0] : undefined;
    if (isMap(item) && item.$patch === 'delete') continue;
    merged.push(before === undefined ? item : strategicMerge(before, item, fieldPath));
  }
  return [...merged, ...rest];
}

/** RFC 6902 `add`, `remove`, `replace` and `test` on a copy of `doc`. */
export function applyJsonPatch(doc: Doc, operations: Doc[]): Doc {
  const result = structuredClone(doc);
  for (const op of operations) {
    const tokens = String(op.path ?? '').split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (tokens.length === 0) throw new Error(`JSON patch ${op.op}: the whole document cannot be patched here`);
    const last = tokens.pop()!;
    let parent: Doc = result;
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[Number(token)] : parent?.[token];
      if (parent === undefined) throw new Error(`JSON patch ${op.op} ${op.path}: no such path`);
    }
    const exists = Array.isArray(parent) ? Number(last) < parent.length : Object.prototype.hasOwnProperty.call(parent, last);
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
        else parent[last] = op.value;
        break;
      case 'replace':
      case 'remove':
        if (!exists) throw new Error(`JSON patch ${op.op} ${op.path}: no such path`);
        if (op.op === 'replace') parent[Array.isArray(parent) ? Number(last) : last] = op.value;
        else if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      case 'test':
        if (!exists || JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new Error(`JSON patch test ${op.path} failed`);
        break;
      default:
        throw new Error(`JSON patch op ${op.op} is not rendered`);
    }
  }
  return result;
}

function setNamespace(doc: Doc, namespace: string): void {
  if (!isMap(doc.metadata)) return;
  if (doc.kind === 'Namespace') doc.metadata.name = namespace;
  else if (!CLUSTER_SCOPED.has(doc.kind)) doc.metadata.namespace = namespace;
}

/** Splits `registry:5000/name:tag@sha256:…` into its name, tag and digest. */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withTag, digest] = image.split('@');
  const colon = withTag.lastIndexOf(':');
  const hasTag = colon > withTag.lastIndexOf('/');
  return { name: hasTag ? withTag.slice(0, colon) : withTag, tag: hasTag ? withTag.slice(colon + 1) : undefined, digest };
}

/** Kustomize's image transformer on every container of a pod template, a pod or a CronJob's job. */
function setImages(doc: Doc, image: Doc): void {
  const pods = [doc.spec, doc.spec?.template?.spec, doc.spec?.jobTemplate?.spec?.template?.spec].filter(isMap);
  for (const pod of pods) {
    for (const container of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      if (typeof container.image !== 'string') continue;
      const current = parseImage(container.image);
      if (current.name !== image.name) continue;
      const name = image.newName ?? current.name;
      if (image.digest) container.image = `${name}@${image.digest}`;
      else if (image.newTag !== undefined) container.image = `${name}:${image.newTag}`;
      else container.image = `${name}${current.tag ? `:${current.tag}` : ''}${current.digest ? `@${current.digest}` : ''}`;
    }
  }
}
