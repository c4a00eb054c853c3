import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import {
  createPeriodicWorker,
  errorBody,
  ErrorCode,
  httpStatusFor,
  ObjectTooLargeError,
  uploadKey,
  uuidv7,
  type Logger,
  type ObjectStore,
  type RateLimitMetrics,
  type RateLimiter,
  type RateLimitPolicy,
  type ServerMetrics,
} from '@meridian/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type/core';

/** The media types an upload may have, decided by its first bytes. */
export const UPLOAD_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'application/pdf']);

/** Options for {@link registerUploads}. */
export interface UploadsOptions {
  store: ObjectStore;
  /** The signed-in user of the request (from its access token or web session), or undefined. */
  userOf: (request: FastifyRequest) => Promise<string | undefined>;
  /** The shared limiter: uploads per user per hour. */
  limiter: RateLimiter;
  /** Counts refusals as limit `uploads`. */
  metrics?: RateLimitMetrics;
  logger: Logger;
  /** Largest file in bytes; default 10 MB. */
  maxBytes?: number;
  /** Uploads per user per hour; default 30. */
  perHour?: number;
  /** How long an upload waits to be attached by a mutation; default 24 h. */
  ttlMs?: number;
}

/** Bytes enough for file-type to tell JPEG, PNG and PDF apart from anything else. */
const SNIFF_BYTES = 4_100;

function refuse(reply: FastifyReply, code: ErrorCode, message: string, extra: Record<string, unknown> = {}, status = httpStatusFor[code]) {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, extra));
}

/** Reads the first bytes of a stream and gives them back with a stream of the whole. */
async function sniff(file: Readable): Promise<{ head: Buffer; whole: Readable }> {
  const iterator = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  const whole = Readable.from(
    (async function* () {
      yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
  );
  return { head, whole };
}

/**
 * `POST /uploads` (multipart/form-data, one file): the signed-in user's file,
 * streamed into the encrypted object store, its type decided by its first
 * bytes (JPEG, PNG, PDF; a renamed executable is refused whatever it is called
 * or declared as), at most `maxBytes`, `perHour` per user. Answers 201 with an
 * upload id that a mutation (such as `uploadKycDocument`) attaches within
 * `ttlMs`. Nothing is kept of a refused upload.
 */
export async function registerUploads(app: FastifyInstance, options: UploadsOptions): Promise<void> {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const ttlMs = options.ttlMs ?? 24 * 3_600_000;
  const policy: RateLimitPolicy = { requestsPerWindow: options.perHour ?? 30, windowMs: 3_600_000, costCapacity: 1_000_000, costRestoreRate: 1_000_000 };
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1 } });

  app.post('/uploads', { bodyLimit: maxBytes + 64 * 1024 }, async (request, reply) => {
    const userId = await options.userOf(request);
    if (!userId) return refuse(reply, ErrorCode.UNAUTHENTICATED, 'Sign in to upload files.');
    if (!request.isMultipart()) return refuse(reply, ErrorCode.BAD_USER_INPUT, 'Send the file as multipart/form-data.', { field: 'file' });
    let limit;
    try {
      limit = await options.limiter.check(`upload:${userId}`, 1, policy);
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'upload limiter failed; refusing uploads');
      return refuse(reply, ErrorCode.SERVICE_UNAVAILABLE, 'Uploads are temporarily unavailable. Try again shortly.');
    }
    if (!limit.allowed) {
      options.metrics?.refused('uploads');
      const retryAfter = Math.max(1, Math.ceil(limit.retryAfterMs / 1000));
      reply.header('retry-after', String(retryAfter));
      return refuse(reply, ErrorCode.RATE_LIMITED, `At most ${policy.requestsPerWindow} uploads an hour.`, { retryAfter });
    }
    const part = await request.file();
    if (!part) return refuse(reply, ErrorCode.BAD_USER_INPUT, 'The request has no file.', { field: 'file' });
    const { head, whole } = await sniff(part.file);
    const detected = await fileTypeFromBuffer(head);
    if (!detected || !UPLOAD_TYPES.has(detected.mime)) {
      part.file.resume();
      return refuse(reply, ErrorCode.BAD_USER_INPUT, 'Only JPEG, PNG and PDF files can be uploaded (decided by their content, not their name).', {
        field: 'file',
        reason: 'UNSUPPORTED_TYPE',
      });
    }
    const uploadId = uuidv7();
    const expiresAt = new Date(Date.now() + ttlMs).toISOString();
    try {
      const meta = await options.store.put(uploadKey(uploadId), whole, { contentType: detected.mime, ownerId: userId, labels: { expiresAt } }, { maxBytes });
      if (part.file.truncated) throw new ObjectTooLargeError(maxBytes);
      return reply.code(201).send({ uploadId, contentType: meta.contentType, size: meta.size, expiresAt });
    } catch (err) {
      await options.store.delete(uploadKey(uploadId)).catch(() => false);
      if (err instanceof ObjectTooLargeError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
        return refuse(reply, ErrorCode.REQUEST_TOO_LARGE, `A file can be at most ${maxBytes / (1024 * 1024)} MB.`, { field: 'file', limit: maxBytes });
      }
      throw err;
    }
  });
}

/**
 * Deletes uploads whose `expiresAt` has passed: files a client sent and no
 * mutation attached (an attached upload is copied and removed at once). Every
 * BFF replica may run it; a delete of what another already removed is harmless.
 */
export function createUploadSweeper(options: { store: ObjectStore; logger: Logger; metrics?: ServerMetrics; intervalMs?: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  async function run(): Promise<number> {
    let removed = 0;
    for await (const key of options.store.list('uploads')) {
      const meta = await options.store.head(key);
      const expiresAt = meta?.labels?.expiresAt ? Date.parse(meta.labels.expiresAt) : Number.NaN;
      // An upload without a readable expiry is older than this code's rules: treat it as expired.
      if (meta && expiresAt > now()) continue;
      if (await options.store.delete(key)) removed += 1;
    }
    if (removed > 0) options.logger.info({ removed }, 'expired uploads deleted');
    return removed;
  }
  return createPeriodicWorker({ name: 'upload-sweeper', run, intervalMs: options.intervalMs ?? 15 * 60_000, logger: options.logger, metrics: options.metrics });
}
