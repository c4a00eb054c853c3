import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createEnvelope, createFileObjectStore, createMasterKeyRing, ObjectTooLargeError } from '@meridian/platform';

const envelope = createEnvelope(createMasterKeyRing([{ kid: 'mk-test', key: randomBytes(32) }]));
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-objects-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function read(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Every file under `dir`, as bytes. */
function filesIn(folder: string): Buffer[] {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => fs.readFileSync(path.join(e.parentPath, e.name)));
}

describe('encrypted file object store', () => {
  it('stores a streamed object with its metadata and gives both back; no file holds the plaintext or the owner', async () => {
    const store = createFileObjectStore({ dir, envelope });
    const content = Buffer.concat([Buffer.from('%PDF-1.7 passport of Ada Lovelace '), randomBytes(50_000)]);
    const meta = await store.put('uploads/doc-1', Readable.from([content.subarray(0, 1000), content.subarray(1000)]), { contentType: 'application/pdf', ownerId: 'user-ada-42' });
    expect(meta).toMatchObject({ contentType: 'application/pdf', size: content.length, ownerId: 'user-ada-42' });
    const got = await store.get('uploads/doc-1');
    expect(got!.meta).toEqual(meta);
    expect((await read(got!.body)).equals(content)).toBe(true);
    expect(await store.head('uploads/doc-1')).toEqual(meta);
    for (const file of filesIn(dir)) {
      expect(file.includes(Buffer.from('Lovelace'))).toBe(false);
      expect(file.includes(Buffer.from('user-ada-42'))).toBe(false);
    }
  });

  it('keeps nothing of a body over the limit, or of one that fails midway', async () => {
    const store = createFileObjectStore({ dir, envelope });
    await expect(store.put('uploads/big', Readable.from([randomBytes(600), randomBytes(600)]), { contentType: 'image/png' }, { maxBytes: 1000 })).rejects.toBeInstanceOf(
      ObjectTooLargeError,
    );
    const failing = new Readable({
      read() {
        this.push(randomBytes(100));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put('uploads/cut', failing, { contentType: 'image/png' })).rejects.toThrow('client went away');
    expect(await store.head('uploads/big')).toBeNull();
    expect(await store.get('uploads/cut')).toBeNull();
    expect(filesIn(dir)).toEqual([]);
  });

  it('deletes, and refuses keys that could leave its folder', async () => {
    const store = createFileObjectStore({ dir, envelope });
    await store.put('a/b', Readable.from([Buffer.from('x')]), { contentType: 'image/png' });
    expect(await store.delete('a/b')).toBe(true);
    expect(await store.delete('a/b')).toBe(false);
    for (const key of ['../etc/passwd', '/abs', 'a//b', 'a/../b', 'A', 'a.b', '']) {
      await expect(store.head(key)).rejects.toThrow(/not an object key/);
    }
  });

  it('lists the complete objects under a prefix, not those elsewhere or still being written', async () => {
    const store = createFileObjectStore({ dir, envelope });
    for (const key of ['uploads/one', 'uploads/two', 'kyc/documents/three']) await store.put(key, Readable.from([Buffer.from(key)]), { contentType: 'image/png' });
    fs.writeFileSync(path.join(dir, 'uploads', 'four.bin.abc123.tmp'), 'half');
    const listed: string[] = [];
    for await (const key of store.list('uploads')) listed.push(key);
    expect(listed.sort()).toEqual(['uploads/one', 'uploads/two']);
    const nothing: string[] = [];
    for await (const key of store.list('missing')) nothing.push(key);
    expect(nothing).toEqual([]);
    await expect(async () => {
      for await (const key of store.list('../etc')) void key;
    }).rejects.toThrow(/not an object key/);
  });

  it('cannot be read with other master keys, and a file moved to another key does not open', async () => {
    const store = createFileObjectStore({ dir, envelope });
    await store.put('uploads/one', Readable.from([Buffer.from('one')]), { contentType: 'image/png' });
    await store.put('uploads/two', Readable.from([Buffer.from('two')]), { contentType: 'image/png' });
    fs.copyFileSync(path.join(dir, 'uploads/one.bin'), path.join(dir, 'uploads/two.bin'));
    await expect(read((await store.get('uploads/two'))!.body)).rejects.toThrow();
    const stranger = createFileObjectStore({ dir, envelope: createEnvelope(createMasterKeyRing([{ kid: 'other', key: randomBytes(32) }])) });
    await expect(stranger.head('uploads/one')).rejects.toThrow();
  });
});
