// What TanStack Router needs of a browser that jsdom lacks: it restores scrolling, and its
// redirects are Responses (status, headers) it tells by `instanceof Response`.

/** As much of `Response` as the router's redirects use. */
class RedirectResponse {
  readonly status: number;
  readonly headers: Headers;
  constructor(_body?: unknown, init: { status?: number; headers?: HeadersInit } = {}) {
    this.status = init.status ?? 200;
    this.headers = new Headers(init.headers);
  }
}

/** Installs the shims (idempotent). */
export function installRouterShims(): void {
  window.scrollTo = () => {};
  if (typeof globalThis.Response === 'undefined') Object.assign(globalThis, { Response: RedirectResponse });
}
