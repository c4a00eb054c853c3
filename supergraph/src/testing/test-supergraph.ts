import { composeSubgraphs } from '../compose';
import { startFakeSubgraph, type FakeSubgraph } from './fake-subgraph';
import { createTestServiceKeys, type TestServiceKeys } from '@meridian/platform/testing';

/** Composes running test subgraphs into a supergraph SDL, or throws with the composer's messages. */
export function composeTestSupergraph(subgraphs: { name: string; url: string; typeDefs: string }[]): string {
  const outcome = composeSubgraphs(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, sdl: typeDefs })));
  if (!outcome.ok) throw new Error(`Test supergraph does not compose:\n  ${outcome.errors.join('\n  ')}`);
  return outcome.supergraphSdl;
}

/** A fake subgraph, the service keys it trusts, and the supergraph composed from it. */
export interface FakeSupergraph {
  keys: TestServiceKeys;
  subgraph: FakeSubgraph;
  supergraphSdl: string;
}

/** Starts the fake subgraph `fake` with fresh service keys and composes a supergraph over it; close it with `subgraph.close()`. */
export async function startFakeSupergraph(): Promise<FakeSupergraph> {
  const keys = await createTestServiceKeys();
  const subgraph = await startFakeSubgraph({ name: 'fake', trustedKeys: keys.trustedKeys });
  return { keys, subgraph, supergraphSdl: composeTestSupergraph([subgraph]) };
}
