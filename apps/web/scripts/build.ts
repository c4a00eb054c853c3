// `npm run build -w apps/web`: the production build into apps/web/dist, always; `npm start` and the
// tests call ensureWebAppBuilt() instead, which builds only when the sources changed.
import { ensureWebAppBuilt } from './ensure-web-app-built';

ensureWebAppBuilt({ force: true, log: (line) => console.log(line) }).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
