// `npm run build:graphiql -w bff/web`: builds the development GraphiQL bundle into DATA_DIR ahead of time
// (e.g. while baking an image), so the first page load does not wait for esbuild.
import { loadWebBffConfig } from '../src/config';
import { buildGraphiqlBundle } from '../src/graphiql/build-graphiql-bundle';
import { graphiqlCacheDir } from '../src/graphiql/use-graphiql';

const cacheDir = graphiqlCacheDir(loadWebBffConfig().DATA_DIR);
buildGraphiqlBundle({ cacheDir })
  .then((bundle) => console.log(`GraphiQL bundle ${bundle.key} ready in ${cacheDir} (${Math.round(bundle.js.length / 1024)} KiB JS)`))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
