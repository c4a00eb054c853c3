import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Envelope } from '../crypto';
import { assertObjectKey, ObjectTooLargeError, type ObjectMeta, type ObjectStore } from './object-store';

/** Options for {@link createFileObjectStore}. */
export interface FileObjectStoreOptions {
  /** Folder the objects live in. */
  dir: string;
  /** Seals every object and its metadata (each under its key as context), so the files hold no plaintext. */
  envelope: Envelope;
}

/** Counts bytes going through, failing once there are more than `max`. */
function byteLimit(max: number | undefined, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counted.bytes += chunk.length;
      if (max !== undefined && counted.bytes > max) return done(new ObjectTooLargeError(max));
      done(null, chunk);
    },
  });
}

/**
 * Objects as files under `dir`, each sealed with envelope encryption (a data
 * key per object) and written to a temporary name first, then renamed: a
 * reader never sees half an object and a refused write leaves nothing.
 * Metadata is sealed beside it. For one machine, or a volume several mount.
 */
export function createFileObjectStore(options: FileObjectStoreOptions): ObjectStore {
  const { envelope } = options;
  const fileOf = (key: string) => {
    assertObjectKey(key);
    return path.join(options.dir, `${key}.bin`);
  };
  const metaOf = (key: string) => `${fileOf(key).slice(0, -4)}.meta`;

  async function readMeta(key: string): Promise<ObjectMeta | null> {
    try {
      const sealed = await fs.promises.readFile(metaOf(key));
      return JSON.parse(envelope.open(sealed, `${key}#meta`).toString('utf8')) as ObjectMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  return {
    kind: 'filesystem',
    async put(key, body, meta, putOptions = {}) {
      const file = fileOf(key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      const counted = { bytes: 0 };
      try {
        await pipeline(body, byteLimit(putOptions.maxBytes, counted), envelope.sealStream(key), fs.createWriteStream(temporary, { mode: 0o600 }));
        const stored: ObjectMeta = { ...meta, size: counted.bytes, createdAt: new Date().toISOString() };
        await fs.promises.writeFile(`${temporary}.meta`, envelope.seal(Buffer.from(JSON.stringify(stored)), `${key}#meta`), { mode: 0o600 });
        await fs.promises.rename(`${temporary}.meta`, metaOf(key));
        await fs.promises.rename(temporary, file);
        return stored;
      } catch (err) {
        await fs.promises.rm(temporary, { force: true });
        await fs.promises.rm(`${temporary}.meta`, { force: true });
        throw err;
      }
    },
    async get(key) {
      const meta = await readMeta(key);
      if (!meta || !fs.existsSync(fileOf(key))) return null;
      const body: Readable = fs.createReadStream(fileOf(key)).pipe(envelope.openStream(key));
      return { meta, body };
    },
    async head(key) {
      return fs.existsSync(fileOf(key)) ? readMeta(key) : null;
    },
    async delete(key) {
      const existed = fs.existsSync(fileOf(key));
      await fs.promises.rm(fileOf(key), { force: true });
      await fs.promises.rm(metaOf(key), { force: true });
      return existed;
    },
    async *list(prefix) {
      assertObjectKey(prefix);
      const folder = path.join(options.dir, prefix);
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(folder, { recursive: true, withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const entry of entries) {
        // Complete objects only: a write in progress is still a `.tmp` file.
        if (!entry.isFile() || !entry.name.endsWith('.bin')) continue;
        const relative = path.relative(options.dir, path.join(entry.parentPath, entry.name));
        yield relative.split(path.sep).join('/').slice(0, -'.bin'.length);
      }
    },
  };
}
