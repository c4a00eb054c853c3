import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composeSubgraphs, composeSupergraph, renderSupergraphFile, SUPERGRAPH_SDL_FILE } from '../src';

const federation = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-compose-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('supergraph composition', () => {
  it('matches the checked-in supergraph.graphql (run `npm run compose` when this fails)', () => {
    const outcome = composeSupergraph();
    if (!outcome.ok) throw new Error(`composition failed:\n${outcome.errors.join('\n')}`);
    expect(fs.readFileSync(SUPERGRAPH_SDL_FILE, 'utf8')).toBe(renderSupergraphFile(outcome.supergraphSdl));
  });

  it('reports the composer’s own messages for a broken subgraph listed in supergraph.yaml', () => {
    const dir = scratch;
    fs.writeFileSync(
      path.join(dir, 'broken.graphql'),
      `${federation}\ntype Query { account: Account }\ntype User @key(fields: "nope") { id: ID! }\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'supergraph.yaml'),
      'subgraphs:\n  broken:\n    routing_url: http://127.0.0.1:4299/graphql\n    schema:\n      file: ./broken.graphql\n',
    );

    const outcome = composeSupergraph({ configFile: path.join(dir, 'supergraph.yaml') });

    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors).toEqual(expect.arrayContaining([expect.stringContaining('[broken] Unknown type Account')]));
  });

  it('names the subgraph whose SDL does not parse', () => {
    const outcome = composeSubgraphs([{ name: 'typo', url: 'http://127.0.0.1:1/graphql', sdl: 'type Query { a: }' }]);
    expect(outcome).toEqual({ ok: false, errors: [expect.stringMatching(/^\[typo\] typo: Syntax Error/)] });
  });

  it('reports conflicts between subgraphs', () => {
    const outcome = composeSubgraphs([
      { name: 'one', url: 'http://127.0.0.1:1/graphql', sdl: `${federation}\ntype Query { total: Int }` },
      { name: 'two', url: 'http://127.0.0.1:2/graphql', sdl: `${federation}\ntype Query { total: String }` },
    ]);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors.join('\n')).toMatch(/Query\.total/);
  });
});
