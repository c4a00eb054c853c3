import type { Readable } from 'node:stream';

/** What is kept about a stored object besides its bytes. */
export interface ObjectMeta {
  /** The media type decided when it was stored (by content, never by the client's word). */
  contentType: string;
  /** Bytes of the object as stored, before encryption. */
  size: number;
  createdAt: string;
  /** The user the object belongs to, when it has one. */
  ownerId?: string;
  /** Anything else the writer keeps with it (a purpose, an expiry). */
  labels?: Record<string, string>;
}

/** A stored object: its metadata and a stream of its bytes. */
export interface StoredObject {
  meta: ObjectMeta;
  body: Readable;
}

/** Options for {@link ObjectStore.put}. */
export interface PutOptions {
  /** Refuse (and keep nothing of) a body longer than this many bytes. */
  maxBytes?: number;
}

/** Thrown by `put` when the body is longer than `maxBytes`; nothing was kept. */
export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The object is larger than ${maxBytes} bytes.`);
    this.name = 'ObjectTooLargeError';
  }
}

/**
 * The storage port for files (uploads, identity documents): objects by key,
 * streamed in and out, never written half (a failed or refused write leaves
 * nothing). Adapters: the encrypted filesystem store now; an S3-compatible one
 * fits the same shape (PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2).
 * Keys are `[a-z0-9/_-]`, e.g. `uploads/0190…`.
 */
export interface ObjectStore {
  readonly kind: 'filesystem' | 's3';
  put(key: string, body: Readable, meta: Omit<ObjectMeta, 'size' | 'createdAt'>, options?: PutOptions): Promise<ObjectMeta>;
  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectMeta | null>;
  delete(key: string): Promise<boolean>;
  /** The keys under `prefix` (a folder such as `uploads`), in no particular order. */
  list(prefix: string): AsyncIterable<string>;
}

const KEY = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;

/** Throws unless `key` is a safe object key: no dots, no absolute paths, no empty segments. */
export function assertObjectKey(key: string): void {
  if (key.length > 200 || !KEY.test(key)) throw new Error(`"${key}" is not an object key`);
}

/**
 * The key of a file uploaded through a BFF's `POST /uploads`, waiting for a
 * mutation to attach it. Uploads are the user's (`ownerId`) and carry an
 * `expiresAt` label; whoever attaches one copies it under its own key.
 */
export const uploadKey = (uploadId: string): string => `uploads/${uploadId}`;
