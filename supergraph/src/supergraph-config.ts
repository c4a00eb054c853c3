import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The supergraph workspace's root: `supergraph.yaml` and `supergraph.graphql` live here. */
export const supergraphRoot = path.resolve(__dirname, '..');

/** The checked-in list of subgraphs. */
export const SUPERGRAPH_CONFIG_FILE = path.join(supergraphRoot, 'supergraph.yaml');

/** The checked-in composed supergraph. */
export const SUPERGRAPH_SDL_FILE = path.join(supergraphRoot, 'supergraph.graphql');

/** One subgraph as `supergraph.yaml` lists it, with its schema path made absolute. */
export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  schemaFile: string;
}

// Subgraph names become `join__Graph` enum values and service-token audiences, so keep them plain.
const subgraphName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'subgraph names are lower-case letters, digits and _');

const configSchema = z.object({
  subgraphs: z.record(
    subgraphName,
    z.object({
      routing_url: z.url({ protocol: /^https?$/ }),
      schema: z.object({ file: z.string().min(1) }),
    }),
  ),
});

/** Reads and validates `supergraph.yaml`; throws with every problem named. */
export function readSupergraphConfig(file: string = SUPERGRAPH_CONFIG_FILE): SubgraphEntry[] {
  const parsed = configSchema.safeParse(parseYaml(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${file} is not a valid supergraph config:\n  ${issues.join('\n  ')}`);
  }
  return Object.entries(parsed.data.subgraphs).map(([name, entry]) => ({
    name,
    routingUrl: entry.routing_url,
    schemaFile: path.resolve(path.dirname(file), entry.schema.file),
  }));
}
