import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { readSupergraphConfig, SUPERGRAPH_CONFIG_FILE, SUPERGRAPH_SDL_FILE } from './supergraph-config';

/** A subgraph to compose: its name, routing URL and SDL text. */
export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
  /** Where the SDL came from, for syntax error messages; default the subgraph name. */
  origin?: string;
}

/** The composer's verdict: the supergraph SDL and its hints, or the composer's own error messages. */
export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: string[] }
  | { ok: false; errors: string[] };

/** Composes subgraphs with `@apollo/composition`; syntax errors are reported in the composer's `[name] message` style. */
export function composeSubgraphs(subgraphs: SubgraphSource[]): CompositionOutcome {
  const errors: string[] = [];
  const services: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  for (const subgraph of subgraphs) {
    try {
      services.push({ name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.sdl) });
    } catch (err) {
      // The composer never sees a document that does not parse, so say which file failed ourselves.
      if (!(err instanceof GraphQLError)) throw err;
      errors.push(`[${subgraph.name}] ${subgraph.origin ?? subgraph.name}: ${err.message}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: result.hints.map((hint) => hint.toString()) };
}

/** Options for {@link composeSupergraph}. */
export interface ComposeSupergraphOptions {
  /** The subgraph list; default `supergraph/supergraph.yaml`. */
  configFile?: string;
}

/** Composes the subgraphs listed in `supergraph.yaml` from their schema files. */
export function composeSupergraph(options: ComposeSupergraphOptions = {}): CompositionOutcome {
  const entries = readSupergraphConfig(options.configFile ?? SUPERGRAPH_CONFIG_FILE);
  if (entries.length === 0) return { ok: false, errors: ['supergraph.yaml lists no subgraphs'] };
  const missing = entries.filter((entry) => !fs.existsSync(entry.schemaFile));
  if (missing.length > 0) {
    return { ok: false, errors: missing.map((entry) => `[${entry.name}] schema file not found: ${entry.schemaFile}`) };
  }
  return composeSubgraphs(
    entries.map((entry) => ({
      name: entry.name,
      url: entry.routingUrl,
      sdl: fs.readFileSync(entry.schemaFile, 'utf8'),
      origin: path.relative(process.cwd(), entry.schemaFile),
    })),
  );
}

const header = '# Composed by `npm run compose` from supergraph/supergraph.yaml. Do not edit by hand.\n\n';

/** The exact text `supergraph.graphql` holds for a composed SDL. */
export function renderSupergraphFile(supergraphSdl: string): string {
  return `${header}${supergraphSdl.trimEnd()}\n`;
}

/** Reads the checked-in supergraph SDL that the gateway serves (no runtime introspection). */
export function loadSupergraphSdl(file: string = SUPERGRAPH_SDL_FILE): string {
  return fs.readFileSync(file, 'utf8');
}
