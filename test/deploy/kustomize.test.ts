/**
 * The Kustomize subset the manifest checks render overlays with (kustomize.ts): its rules one
 * by one on small inputs, then, where kubectl is installed, the same output as `kubectl kustomize`
 * for every target in deploy/k8s.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyJsonPatch, parseImage, renderKustomization, strategicMerge } from './kustomize';

const k8sDir = path.resolve(__dirname, '../../deploy/k8s');

/** Writes files under a fresh temporary directory and answers its path. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-kustomize-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: a
          image: meridian:1@sha256:abc
          env: [{ name: X, value: "1" }, { name: Y, value: "2" }]
          args: [--one, --two]
        - name: b
          image: registry.local:5000/meridian
      volumes: [{ name: v1, emptyDir: {} }]
`;

describe('the strategic merge patch', () => {
  it('merges keyed lists with the patch items first, replaces other lists, and deletes on null', () => {
    const original = parseAllDocuments(deployment)[0].toJS();
    const merged = strategicMerge(
      original,
      {
        spec: {
          replicas: null,
          template: {
            spec: {
              containers: [
                { name: 'c', image: 'meridian' },
                { name: 'a', env: [{ name: 'Z', value: '3' }, { name: 'X', value: '9' }], args: ['--three'] },
              ],
              volumes: [{ name: 'v1', $patch: 'delete' }],
            },
          },
        },
      },
      '',
    );
    expect(merged.spec.replicas).toBeUndefined();
    const containers = merged.spec.template.spec.containers;
    expect(containers.map((c: { name: string }) => c.name)).toEqual(['c', 'a', 'b']);
    expect(containers[1].env).toEqual([{ name: 'Z', value: '3' }, { name: 'X', value: '9' }, { name: 'Y', value: '2' }]);
    expect(containers[1].args).toEqual(['--three']);
    expect(containers[1].image).toBe('meridian:1@sha256:abc');
    expect(merged.spec.template.spec.volumes).toEqual([]);
  });

  it('refuses directives it does not render', () => {
    expect(() => strategicMerge({ a: 1 }, { $retainKeys: ['a'] }, '')).toThrow(/not rendered/);
    expect(() => strategicMerge({ a: { b: 1 } }, { a: { $patch: 'delete' } }, '')).toThrow(/not rendered/);
  });
});

describe('the JSON 6902 patch', () => {
  it('adds, replaces, removes and tests by pointer', () => {
    const doc = { spec: { rules: [{ host: 'a' }, { host: 'b' }], 'x/y': 1 } };
    const patched = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/rules/0/host', value: 'a' },
      { op: 'replace', path: '/spec/rules/0/host', value: 'c' },
      { op: 'add', path: '/spec/rules/-', value: { host: 'd' } },
      { op: 'remove', path: '/spec/rules/1' },
      { op: 'remove', path: '/spec/x~1y' },
    ]);
    expect(patched).toEqual({ spec: { rules: [{ host: 'c' }, { host: 'd' }] } });
    expect(doc.spec.rules[0].host).toBe('a');
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/nothing', value: 1 }])).toThrow(/no such path/);
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/rules/0/host', value: 'z' }])).toThrow(/failed/);
    expect(() => applyJsonPatch(doc, [{ op: 'move', from: '/a', path: '/b' }])).toThrow(/not rendered/);
  });
});

describe('a kustomization', () => {
  it('renders resources, patches, the namespace and images in Kustomize order', () => {
    const dir = tree({
      'base/kustomization.yaml': 'resources: [app.yaml]\nnamespace: alpha\n',
      'base/app.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: { name: alpha }\n---\n${deployment}`,
      'overlay/kustomization.yaml': `resources: [../base]
namespace: beta
images:
  - { name: meridian, newTag: "2" }
  - { name: registry.local:5000/meridian, newName: other, digest: "sha256:def" }
patches:
  - path: more.yaml
  - path: hosts.yaml
    target: { kind: Deployment, name: w.b }
`,
      'overlay/more.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: alpha }\nspec: { replicas: 5 }\n',
      'overlay/hosts.yaml': '- { op: add, path: /metadata/labels, value: { tier: front } }\n',
    });
    const docs = renderKustomization(path.join(dir, 'overlay'), dir);
    expect(docs.map((d) => `${d.file} ${d.doc.kind} ${d.doc.metadata.name} ${d.doc.metadata.namespace}`)).toEqual([
      'base/app.yaml Namespace beta undefined',
      'base/app.yaml Deployment web beta',
    ]);
    const web = docs[1].doc;
    expect(web.spec.replicas).toBe(5);
    expect(web.metadata.labels).toEqual({ tier: 'front' });
    expect(web.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual(['meridian:2', 'other@sha256:def']);
  });

  it('refuses fields it does not render and patches that match nothing', () => {
    const unknown = tree({ 'kustomization.yaml': 'resources: []\ncommonLabels: { a: b }\n' });
    expect(() => renderKustomization(unknown)).toThrow(/"commonLabels" is not rendered/);
    const stray = tree({
      'kustomization.yaml': 'resources: [app.yaml]\npatches: [{ path: p.yaml }]\n',
      'app.yaml': deployment,
      'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec: { replicas: 1 }\n',
    });
    expect(() => renderKustomization(stray)).toThrow(/matches no resource/);
  });

  it('reads image references with registries, ports, tags and digests', () => {
    expect(parseImage('registry.local:5000/team/meridian:1.2@sha256:ab')).toEqual({ name: 'registry.local:5000/team/meridian', tag: '1.2', digest: 'sha256:ab' });
    expect(parseImage('registry.local:5000/meridian')).toEqual({ name: 'registry.local:5000/meridian', tag: undefined, digest: undefined });
    expect(parseImage('meridian')).toEqual({ name: 'meridian', tag: undefined, digest: undefined });
  });
});

/** `kubectl kustomize` when kubectl is installed, undefined otherwise. */
function kubectl(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 20_000 });
    return 'kubectl';
  } catch {
    return undefined;
  }
}

const KUBECTL = kubectl();
const describeKubectl = KUBECTL ? describe : describe.skip;
describeKubectl(KUBECTL ? 'deploy/k8s rendered by kubectl kustomize' : 'deploy/k8s rendered by kubectl kustomize (skipped: kubectl is not installed)', () => {
  const key = (doc: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) =>
    `${doc.apiVersion} ${doc.kind} ${doc.metadata.namespace ?? ''}/${doc.metadata.name}`;

  it.each(['base', 'overlays/staging', 'overlays/production'])('%s is what kustomize.ts renders', (target) => {
    const text = execFileSync(KUBECTL!, ['kustomize', path.join(k8sDir, target)], { encoding: 'utf8', timeout: 60_000 });
    const theirs = parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d != null);
    const ours = renderKustomization(path.join(k8sDir, target)).map((d) => d.doc);
    const byKey = (docs: any[]) => new Map(docs.map((doc) => [key(doc), doc]));
    expect([...byKey(ours).keys()].sort()).toEqual([...byKey(theirs).keys()].sort());
    for (const [k, doc] of byKey(theirs)) expect([k, byKey(ours).get(k)]).toEqual([k, doc]);
  });
});
