/** Where the app goes after signing in when nothing else is asked for. */
export const HOME_PATH = '/accounts';

/** The pages that need no session; a redirect back to one of them makes no sense. */
export const PUBLIC_PATHS: readonly string[] = ['/sign-in', '/forgot-password', '/verify-email', '/reset-password'];

/**
 * The path to return to after signing in, from `?redirect=`: only a path of
 * this app (starting with one `/`), never another site (`//evil.example`,
 * `/\evil.example`, `https://…`) and never a sign-in page itself.
 */
export function safeRedirect(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return HOME_PATH;
  let url: URL;
  try {
    url = new URL(value, 'http://app.invalid');
  } catch {
    return HOME_PATH;
  }
  if (url.origin !== 'http://app.invalid' || PUBLIC_PATHS.includes(url.pathname)) return HOME_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** True on a page that needs no session. */
export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.includes(pathname);
}
