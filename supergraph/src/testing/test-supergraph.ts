import { composeSubgraphs } from '../compose';

/** Composes running test subgraphs into a supergraph SDL, or throws with the composer's messages. */
export function composeTestSupergraph(subgraphs: { name: string; url: string; typeDefs: string }[]): string {
  const outcome = composeSubgraphs(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, sdl: typeDefs })));
  if (!outcome.ok) throw new Error(`Test supergraph does not compose:\n  ${outcome.errors.join('\n  ')}`);
  return outcome.supergraphSdl;
}
