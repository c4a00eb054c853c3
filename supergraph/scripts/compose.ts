// `npm run compose`: writes supergraph/supergraph.graphql from supergraph.yaml.
// `npm run compose -- --check`: exits 1 when the checked-in file is stale (for CI).
import fs from 'node:fs';
import path from 'node:path';
import { composeSupergraph, renderSupergraphFile, SUPERGRAPH_SDL_FILE } from '../src';

const check = process.argv.includes('--check');
const outcome = composeSupergraph();
const target = path.relative(process.cwd(), SUPERGRAPH_SDL_FILE);

if (!outcome.ok) {
  console.error(`Composition failed with ${outcome.errors.length} error(s):`);
  for (const message of outcome.errors) console.error(`  ${message}`);
  process.exit(1);
}
for (const hint of outcome.hints) console.warn(`hint: ${hint}`);

const text = renderSupergraphFile(outcome.supergraphSdl);
const current = fs.existsSync(SUPERGRAPH_SDL_FILE) ? fs.readFileSync(SUPERGRAPH_SDL_FILE, 'utf8') : undefined;
if (check) {
  if (current !== text) {
    console.error(`${target} is out of date; run \`npm run compose\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${target} is up to date.`);
} else if (current === text) {
  console.log(`${target} is already up to date.`);
} else {
  fs.writeFileSync(SUPERGRAPH_SDL_FILE, text);
  console.log(`Wrote ${target}.`);
}
