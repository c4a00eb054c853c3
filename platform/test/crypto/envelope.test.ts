import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBlindIndex, createEnvelope, createMasterKeyRing, loadBaseConfig, loadDataProtection, type MasterKey } from '@meridian/platform';

const key = (kid: string): MasterKey => ({ kid, key: randomBytes(32) });
const oldKey = key('mk-2026-01');
const newKey = key('mk-2026-12');

/** Runs `input`, cut into chunks of random sizes, through a stream. */
async function through(stream: NodeJS.ReadWriteStream, input: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < input.length; ) {
    const size = 1 + Math.floor(Math.random() * 4_000);
    chunks.push(input.subarray(at, at + size));
    at += size;
  }
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), stream, async (source: AsyncIterable<Buffer | string>) => {
    for await (const chunk of source) out.push(Buffer.from(chunk));
  });
  return Buffer.concat(out);
}

describe('envelope encryption', () => {
  const envelope = createEnvelope(createMasterKeyRing([oldKey]));

  it('seals with a data key of its own each time and opens again; the plaintext is nowhere in what is stored', () => {
    const secret = 'Ada Lovelace, born 1815-12-10, GB';
    const a = envelope.sealText(secret, 'kyc.profiles.legal_name');
    const b = envelope.sealText(secret, 'kyc.profiles.legal_name');
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url').includes(Buffer.from('Lovelace'))).toBe(false);
    expect(envelope.openText(a, 'kyc.profiles.legal_name')).toBe(secret);
    expect(envelope.kidOf(a)).toBe('mk-2026-01');
  });

  it('refuses to open under another context, after any byte changed, or without the master key', () => {
    const sealed = envelope.seal(Buffer.from('AB123456C'), 'kyc.profiles.tax_id');
    expect(() => envelope.open(sealed, 'kyc.profiles.legal_name')).toThrow();
    for (const at of [0, 6, 30, 80, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at] ^= 0x01;
      expect(() => envelope.open(changed, 'kyc.profiles.tax_id')).toThrow();
    }
    expect(() => createEnvelope(createMasterKeyRing([newKey])).open(sealed, 'kyc.profiles.tax_id')).toThrow(/not configured/);
  });

  it('rotates: the new key seals, the old still opens, and a rewrap moves old data to the new key without the old one', () => {
    const sealedOld = envelope.seal(Buffer.from('old data'), 'ctx');
    const rotated = createEnvelope(createMasterKeyRing([newKey, oldKey]));
    expect(rotated.kidOf(rotated.seal(Buffer.from('new data'), 'ctx'))).toBe('mk-2026-12');
    expect(rotated.open(sealedOld, 'ctx').toString()).toBe('old data');
    const rewrapped = rotated.rewrap(sealedOld);
    expect(rotated.kidOf(rewrapped)).toBe('mk-2026-12');
    const retired = createEnvelope(createMasterKeyRing([newKey]));
    expect(retired.open(rewrapped, 'ctx').toString()).toBe('old data');
    expect(() => retired.open(sealedOld, 'ctx')).toThrow();
  });

  it('seals and opens files as streams, in any chunking, and fails on a changed or cut stream', async () => {
    const file = randomBytes(200_000);
    const sealed = await through(envelope.sealStream('uploads/u1'), file);
    expect(envelope.open(sealed, 'uploads/u1').equals(file)).toBe(true);
    expect((await through(envelope.openStream('uploads/u1'), sealed)).equals(file)).toBe(true);
    const changed = Buffer.from(sealed);
    changed[150_000] ^= 0xff;
    await expect(through(envelope.openStream('uploads/u1'), changed)).rejects.toThrow();
    await expect(through(envelope.openStream('uploads/u1'), sealed.subarray(0, sealed.length - 5))).rejects.toThrow();
    await expect(through(envelope.openStream('uploads/u2'), sealed)).rejects.toThrow();
    expect((await through(envelope.sealStream('empty'), Buffer.alloc(0))).length).toBeGreaterThan(0);
  });

  it('refuses key rings that are wrong', () => {
    expect(() => createMasterKeyRing([])).toThrow(/At least one/);
    expect(() => createMasterKeyRing([{ kid: 'a', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => createMasterKeyRing([oldKey, oldKey])).toThrow(/twice/);
    expect(() => createMasterKeyRing([{ kid: 'bad kid', key: randomBytes(32) }])).toThrow(/letters/);
  });
});

describe('blind index', () => {
  it('is the same for the same normalised value and purpose, and differs by key and purpose', () => {
    const k = randomBytes(32);
    const index = createBlindIndex(k, (v) => v.replace(/\s+/g, '').toUpperCase());
    expect(index('ab 12 34 56 c', 'tax_id')).toBe(index('AB123456C', 'tax_id'));
    expect(index('AB123456C', 'tax_id')).not.toBe(index('AB123456C', 'phone'));
    expect(createBlindIndex(randomBytes(32))('AB123456C', 'tax_id')).not.toBe(createBlindIndex(k)('AB123456C', 'tax_id'));
    expect(() => createBlindIndex(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('data-protection keys', () => {
  it('are generated once outside production and required in production', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-data-keys-'));
    const first = loadDataProtection(loadBaseConfig({ NODE_ENV: 'development', DATA_DIR: dir }));
    const again = loadDataProtection(loadBaseConfig({ NODE_ENV: 'development', DATA_DIR: dir }));
    expect(again.envelope.openText(first.envelope.sealText('x', 'c'), 'c')).toBe('x');
    expect(again.blindIndex('x', 'p')).toBe(first.blindIndex('x', 'p'));
    expect(fs.statSync(path.join(dir, 'keys', 'data-protection.json')).mode & 0o777).toBe(0o600);
    expect(() => loadDataProtection(loadBaseConfig({ NODE_ENV: 'production', DATA_DIR: dir }))).toThrow(/DATA_PROTECTION_KEYS must be set/);
    expect(() => loadDataProtection(loadBaseConfig({ NODE_ENV: 'production', DATA_PROTECTION_KEYS: '{"masterKeys": 1}' }))).toThrow(/DATA_PROTECTION_KEYS must be/);
  });
});
