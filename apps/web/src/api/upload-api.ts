import { MeridianError, parseJsonOrUndefined, refusalOf } from '@meridian/client';

/** What `POST /uploads` answers: an upload a mutation (such as `uploadKycDocument`) attaches within a day. */
export interface UploadedFile {
  uploadId: string;
  /** Decided by the BFF from the file's first bytes: `image/jpeg`, `image/png` or `application/pdf`. */
  contentType: string;
  size: number;
  expiresAt: string;
}

/** Options of one {@link UploadApi.upload}. */
export interface UploadOptions {
  /** Called as the file goes out, with the bytes sent so far and in all. */
  onProgress?: (sent: number, total: number) => void;
  /** Aborting it stops the upload (rejects with NETWORK_ERROR). */
  signal?: AbortSignal;
}

/**
 * The web BFF's `POST /uploads`: one file as multipart/form-data with the
 * session cookie, its progress reported as it is sent. Every refusal rejects
 * with a MeridianError carrying the BFF's `extensions.code`.
 */
export interface UploadApi {
  upload(file: Blob, name: string, options?: UploadOptions): Promise<UploadedFile>;
}

/**
 * Uploads through XMLHttpRequest, the one browser API that reports how much
 * of a request body has gone out (fetch cannot). `createRequest` defaults to
 * the browser's, bound late so tests may install their own.
 */
export function createUploadApi(baseUrl = '', createRequest: () => XMLHttpRequest = () => new XMLHttpRequest()): UploadApi {
  return {
    upload(file, name, options = {}) {
      return new Promise<UploadedFile>((resolve, reject) => {
        const { onProgress, signal } = options;
        if (signal?.aborted) {
          reject(new MeridianError('NETWORK_ERROR', 'The upload was cancelled.'));
          return;
        }
        const request = createRequest();
        request.open('POST', `${baseUrl}/uploads`);
        request.setRequestHeader('accept', 'application/json');
        request.upload.onprogress = (event) => {
          if (event.lengthComputable) onProgress?.(event.loaded, event.total);
        };
        request.onload = () => {
          const requestId = request.getResponseHeader('x-request-id') ?? undefined;
          if (request.status === 201) {
            try {
              resolve(JSON.parse(request.responseText) as UploadedFile);
            } catch {
              reject(new MeridianError('BAD_RESPONSE', 'The upload was answered with something other than JSON.', { status: request.status, requestId }));
            }
            return;
          }
          reject(refusalOf({ path: '/uploads', status: request.status, body: parseJsonOrUndefined(request.responseText), retryAfterHeader: request.getResponseHeader('retry-after'), requestId }));
        };
        request.onerror = () => reject(new MeridianError('NETWORK_ERROR', 'The Meridian API could not be reached.'));
        request.onabort = () => reject(new MeridianError('NETWORK_ERROR', 'The upload was cancelled.'));
        signal?.addEventListener('abort', () => request.abort(), { once: true });
        const body = new FormData();
        body.append('file', file, name);
        request.send(body);
      });
    },
  };
}
