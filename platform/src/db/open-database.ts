import fs from 'node:fs';
import path from 'node:path';
import type { BaseConfig } from '../config';
import { startEmbeddedPostgres } from './embedded-postgres';

/** A database URL and how to release it. */
export interface OpenDatabase {
  url: string;
  kind: 'postgres' | 'pglite';
  stop(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * DATABASE_URL when set; otherwise the embedded PGlite under DATA_DIR/pglite.
 * PGlite is single-process, so a lock file refuses a second process on the same files.
 */
export async function openDatabase(config: BaseConfig, maxConnections = 32): Promise<OpenDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, kind: 'postgres', stop: async () => {} };
  const dataDir = path.join(config.DATA_DIR, 'pglite');
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = path.join(config.DATA_DIR, 'pglite.pid');
  if (fs.existsSync(lock)) {
    const holder = Number(fs.readFileSync(lock, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by process ${holder}. ` +
          'Stop it, or set DATABASE_URL to run servers as separate processes.',
      );
    }
  }
  fs.writeFileSync(lock, String(process.pid));
  const embedded = await startEmbeddedPostgres({ dataDir, maxConnections });
  return {
    url: embedded.url,
    kind: 'pglite',
    async stop() {
      await embedded.stop();
      fs.rmSync(lock, { force: true });
    },
  };
}
