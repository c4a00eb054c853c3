import { createCipheriv, createDecipheriv, createHmac, randomBytes, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A master key: 32 bytes that wrap data keys, under an id that sealed data names. */
export interface MasterKey {
  kid: string;
  key: Buffer;
}

/** Master keys, the first one active: it wraps new data keys; the others still unwrap old ones (rotation). */
export interface MasterKeyRing {
  active: MasterKey;
  byKid: Map<string, MasterKey>;
}

const MAGIC = Buffer.from('MRD1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = 32 + TAG_BYTES;
const KID = /^[A-Za-z0-9_-]{1,64}$/;

/** Builds a ring from master keys, active first. Throws naming the problem. */
export function createMasterKeyRing(keys: MasterKey[]): MasterKeyRing {
  if (keys.length === 0) throw new Error('At least one master key is needed');
  const byKid = new Map<string, MasterKey>();
  for (const k of keys) {
    if (!KID.test(k.kid)) throw new Error(`Master key id "${k.kid}" must be 1-64 letters, digits, _ or -`);
    if (k.key.length !== 32) throw new Error(`Master key ${k.kid} must be 32 bytes`);
    if (byKid.has(k.kid)) throw new Error(`Master key id ${k.kid} appears twice`);
    byKid.set(k.kid, k);
  }
  return { active: keys[0], byKid };
}

/** Header of sealed data: magic, master key id, how the data key is wrapped, and the data's IV. */
interface Header {
  kid: string;
  wrapIv: Buffer;
  wrapped: Buffer;
  dataIv: Buffer;
  length: number;
}

function wrapDataKey(master: MasterKey, dataKey: Buffer): { wrapIv: Buffer; wrapped: Buffer } {
  const wrapIv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master.key, wrapIv);
  cipher.setAAD(Buffer.from(master.kid));
  const wrapped = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return { wrapIv, wrapped };
}

function unwrapDataKey(ring: MasterKeyRing, header: Header): Buffer {
  const master = ring.byKid.get(header.kid);
  if (!master) throw new Error(`Sealed with master key ${header.kid}, which is not configured`);
  const decipher = createDecipheriv('aes-256-gcm', master.key, header.wrapIv);
  decipher.setAAD(Buffer.from(master.kid));
  decipher.setAuthTag(header.wrapped.subarray(32));
  return Buffer.concat([decipher.update(header.wrapped.subarray(0, 32)), decipher.final()]);
}

function encodeHeader(kid: string, wrapIv: Buffer, wrapped: Buffer, dataIv: Buffer): Buffer {
  const kidBytes = Buffer.from(kid);
  return Buffer.concat([MAGIC, Buffer.from([kidBytes.length]), kidBytes, wrapIv, wrapped, dataIv]);
}

function decodeHeader(sealed: Buffer): Header {
  if (sealed.length < MAGIC.length + 1 || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('Not sealed data');
  const kidLength = sealed[MAGIC.length];
  let at = MAGIC.length + 1;
  const kid = sealed.subarray(at, at + kidLength).toString();
  at += kidLength;
  const wrapIv = sealed.subarray(at, at + IV_BYTES);
  at += IV_BYTES;
  const wrapped = sealed.subarray(at, at + WRAPPED_BYTES);
  at += WRAPPED_BYTES;
  const dataIv = sealed.subarray(at, at + IV_BYTES);
  at += IV_BYTES;
  if (dataIv.length !== IV_BYTES) throw new Error('Sealed data is truncated');
  return { kid, wrapIv, wrapped, dataIv, length: at };
}

/**
 * Envelope encryption of personal data (AES-256-GCM): every record or object
 * gets a data key of its own, wrapped by the active master key and stored
 * beside the ciphertext under that key's id. `context` (a table and column, an
 * object's name) is authenticated, so sealed data cannot be moved to another
 * place. Rotating the master key means putting a new one first: new data is
 * sealed with it, old data still opens, and {@link Envelope.rewrap} moves a
 * record to the new key without touching its ciphertext.
 */
export interface Envelope {
  /** The id of the master key new data is sealed with. */
  readonly activeKid: string;
  seal(plaintext: Buffer, context: string): Buffer;
  open(sealed: Buffer, context: string): Buffer;
  /** Text in, base64url out: for columns. */
  sealText(plaintext: string, context: string): string;
  openText(sealed: string, context: string): string;
  /** The master key id a sealed value names. */
  kidOf(sealed: Buffer | string): string;
  /** The same data under the active master key: only the wrapped data key changes. */
  rewrap(sealed: Buffer): Buffer;
  /** A stream that seals what goes through it (header, ciphertext, then the tag); for files. */
  sealStream(context: string): Transform;
  /** A stream that opens sealed data; fails at the end when it was altered. */
  openStream(context: string): Transform;
}

export function createEnvelope(ring: MasterKeyRing): Envelope {
  const toBuffer = (sealed: Buffer | string) => (typeof sealed === 'string' ? Buffer.from(sealed, 'base64url') : sealed);
  const envelope: Envelope = {
    activeKid: ring.active.kid,
    seal(plaintext, context) {
      const dataKey = randomBytes(32);
      const { wrapIv, wrapped } = wrapDataKey(ring.active, dataKey);
      const dataIv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', dataKey, dataIv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([encodeHeader(ring.active.kid, wrapIv, wrapped, dataIv), body, cipher.getAuthTag()]);
    },
    open(sealed, context) {
      const header = decodeHeader(sealed);
      if (sealed.length < header.length + TAG_BYTES) throw new Error('Sealed data is truncated');
      const decipher = createDecipheriv('aes-256-gcm', unwrapDataKey(ring, header), header.dataIv);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(header.length, sealed.length - TAG_BYTES)), decipher.final()]);
    },
    sealText: (plaintext, context) => envelope.seal(Buffer.from(plaintext, 'utf8'), context).toString('base64url'),
    openText: (sealed, context) => envelope.open(Buffer.from(sealed, 'base64url'), context).toString('utf8'),
    kidOf: (sealed) => decodeHeader(toBuffer(sealed)).kid,
    rewrap(sealed) {
      const header = decodeHeader(sealed);
      const { wrapIv, wrapped } = wrapDataKey(ring.active, unwrapDataKey(ring, header));
      return Buffer.concat([encodeHeader(ring.active.kid, wrapIv, wrapped, header.dataIv), sealed.subarray(header.length)]);
    },
    sealStream(context) {
      const dataKey = randomBytes(32);
      const { wrapIv, wrapped } = wrapDataKey(ring.active, dataKey);
      const dataIv = randomBytes(IV_BYTES);
      const cipher: CipherGCM = createCipheriv('aes-256-gcm', dataKey, dataIv);
      cipher.setAAD(Buffer.from(context));
      let headerSent = false;
      const header = encodeHeader(ring.active.kid, wrapIv, wrapped, dataIv);
      return new Transform({
        transform(chunk: Buffer, _encoding, done: TransformCallback) {
          if (!headerSent) {
            this.push(header);
            headerSent = true;
          }
          done(null, cipher.update(chunk));
        },
        flush(done: TransformCallback) {
          if (!headerSent) this.push(header);
          this.push(cipher.final());
          done(null, cipher.getAuthTag());
        },
      });
    },
    openStream(context) {
      let pending = Buffer.alloc(0);
      let decipher: DecipherGCM | undefined;
      return new Transform({
        transform(chunk: Buffer, _encoding, done: TransformCallback) {
          try {
            pending = Buffer.concat([pending, chunk]);
            if (!decipher) {
              // The header is complete once the magic, the kid and the fixed parts are in.
              const needed = MAGIC.length + 1 + (pending.length > MAGIC.length ? pending[MAGIC.length] : 0) + IV_BYTES + WRAPPED_BYTES + IV_BYTES;
              if (pending.length < needed) return done();
              const header = decodeHeader(pending);
              decipher = createDecipheriv('aes-256-gcm', unwrapDataKey(ring, header), header.dataIv);
              decipher.setAAD(Buffer.from(context));
              pending = pending.subarray(header.length);
            }
            // The last TAG_BYTES may be the tag: keep them back until the end.
            const ready = pending.length - TAG_BYTES;
            if (ready <= 0) return done();
            const out = decipher.update(pending.subarray(0, ready));
            pending = pending.subarray(ready);
            done(null, out);
          } catch (err) {
            done(err as Error);
          }
        },
        flush(done: TransformCallback) {
          try {
            if (!decipher || pending.length !== TAG_BYTES) throw new Error('Sealed data is truncated');
            decipher.setAuthTag(pending);
            done(null, decipher.final());
          } catch (err) {
            done(err as Error);
          }
        },
      });
    },
  };
  return envelope;
}

/**
 * A keyed hash for looking up encrypted values by equality (a blind index):
 * HMAC-SHA256 of the normalised value under a key of its own, so the index
 * says nothing about the value to someone without the key.
 */
export function createBlindIndex(key: Buffer, normalise: (value: string) => string = (v) => v) {
  if (key.length < 32) throw new Error('A blind-index key needs at least 32 bytes');
  return (value: string, purpose: string): string => createHmac('sha256', key).update(`${purpose}\0${normalise(value)}`).digest('base64url');
}
