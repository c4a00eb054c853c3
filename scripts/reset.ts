// `npm run reset`: wipes the embedded mode's data (database, generated keys) under DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import { loadBaseConfig } from '@meridian/platform';

const config = loadBaseConfig();
const lock = path.join(config.DATA_DIR, 'pglite.pid');
if (fs.existsSync(lock)) {
  const pid = Number(fs.readFileSync(lock, 'utf8'));
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = pid !== process.pid;
  } catch {
    alive = false;
  }
  if (alive) {
    console.error(`Meridian is running (process ${pid}); stop it before resetting.`);
    process.exit(1);
  }
}
fs.rmSync(config.DATA_DIR, { recursive: true, force: true });
console.log(`Removed ${config.DATA_DIR}`);
