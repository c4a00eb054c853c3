/** How the fake answers one upload: a status with a JSON body, or no answer at all (the network failed). */
export type FakeUploadAnswer = { status: number; body: unknown; headers?: Record<string, string> } | 'network-error';

/** One upload the app sent. */
export interface FakeUpload {
  method: string;
  url: string;
  headers: Record<string, string>;
  file: File;
}

type Answerer = (upload: FakeUpload) => FakeUploadAnswer | Promise<FakeUploadAnswer>;

/** A 201 as `POST /uploads` answers it. */
export const uploaded = (uploadId: string, file: File): FakeUploadAnswer => ({
  status: 201,
  body: { uploadId, contentType: file.type, size: file.size, expiresAt: '2026-12-08T10:00:00.000Z' },
});

/**
 * A stand-in for XMLHttpRequest, which the dashboard uploads with (for its
 * progress events): installed on the window, it answers each upload with
 * `answer` and reports the body's progress halfway and at the end first.
 * Anything but a multipart POST with one file fails the test loudly.
 */
export function installFakeUploads(answer: Answerer) {
  const uploads: FakeUpload[] = [];
  const original = window.XMLHttpRequest;

  class FakeXhr {
    status = 0;
    responseText = '';
    upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    private method = '';
    private url = '';
    private headers: Record<string, string> = {};
    private responseHeaders: Record<string, string> = {};
    private aborted = false;

    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }

    setRequestHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    }

    getResponseHeader(name: string): string | null {
      return this.responseHeaders[name.toLowerCase()] ?? null;
    }

    abort() {
      this.aborted = true;
      this.onabort?.();
    }

    send(body: unknown) {
      if (!(body instanceof FormData)) throw new Error('the dashboard must upload multipart/form-data');
      const file = body.get('file');
      if (!(file instanceof File)) throw new Error('the upload has no file part named "file"');
      const upload: FakeUpload = { method: this.method, url: this.url, headers: this.headers, file };
      uploads.push(upload);
      void (async () => {
        this.upload.onprogress?.({ lengthComputable: true, loaded: Math.floor(file.size / 2), total: file.size });
        const result = await answer(upload);
        if (this.aborted) return;
        if (result === 'network-error') {
          this.onerror?.();
          return;
        }
        this.upload.onprogress?.({ lengthComputable: true, loaded: file.size, total: file.size });
        this.status = result.status;
        this.responseText = JSON.stringify(result.body);
        this.responseHeaders = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        this.onload?.();
      })();
    }
  }

  Object.assign(window, { XMLHttpRequest: FakeXhr });
  return {
    uploads,
    /** Puts the window's XMLHttpRequest back. */
    restore() {
      Object.assign(window, { XMLHttpRequest: original });
    },
  };
}
