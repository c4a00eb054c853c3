import type { Registry } from 'prom-client';

/**
 * The value of one series of `name` in `registry` as a scrape would read it (gauges
 * run their `collect()`), matched by `labels` (the registry's default labels aside);
 * undefined when no such series exists. For a histogram, `name` is one of its
 * series' names: `<metric>_count`, `<metric>_sum` or `<metric>_bucket` (with `le`).
 */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const base = name.replace(/_(count|sum|bucket)$/, '');
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(base);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  // A histogram's values name their series; a counter's or gauge's are the metric's own.
  const seriesOf = (v: (typeof values)[number]) => (v as { metricName?: string }).metricName ?? name;
  const found = values.find((v) => seriesOf(v) === name && Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value));
  return found?.value;
}
