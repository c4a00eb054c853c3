/**
 * How the manifest checks (manifests.test.ts) read NetworkPolicies: which pods a selector picks,
 * and whether one pod may connect to another.
 */

// Parsed YAML is untyped; both functions read it defensively.
type Doc = any;

/** Whether a label selector (matchLabels and matchExpressions) picks pods with these labels; an empty selector picks all. */
export function selects(selector: Doc, labels: Record<string, string>): boolean {
  const byLabel = Object.entries<string>(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector?.matchExpressions ?? []).every((e: Doc) => {
    const values: string[] = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In': return e.key in labels && values.includes(labels[e.key]);
      case 'NotIn': return !(e.key in labels) || !values.includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: return false;
    }
  });
  return byLabel && byExpression;
}

/**
 * Whether the NetworkPolicies let a pod connect to another pod's http port in the same namespace,
 * as Kubernetes decides for the peers these manifests use: open when no Ingress policy selects the
 * target, otherwise when a rule of one that does admits the source (a podSelector peer without a
 * namespaceSelector) and the port (named `http` or by number).
 */
export function admits(policies: Doc[], from: Record<string, string>, to: Record<string, string>, port: number): boolean {
  const isolating = policies.filter((np) => selects(np.spec?.podSelector ?? {}, to) && (np.spec?.policyTypes ?? ['Ingress']).includes('Ingress'));
  if (isolating.length === 0) return true;
  return isolating.some((np) =>
    (np.spec?.ingress ?? []).some((rule: Doc) => {
      const peer = !rule.from || rule.from.some((p: Doc) => p.podSelector && !p.namespaceSelector && !p.ipBlock && selects(p.podSelector, from));
      const onPort = !rule.ports || rule.ports.length === 0 || rule.ports.some((p: Doc) => p.port === undefined || p.port === 'http' || p.port === port);
      return peer && onPort;
    }),
  );
}
