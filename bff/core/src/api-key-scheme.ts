/** The Authorization scheme of API keys: `Authorization: ApiKey mk_live_…`. Only the web BFF accepts it. */
export const API_KEY_SCHEME = 'ApiKey';

// The scheme decides, whatever follows it: a malformed key is still an API key, refused as one.
const API_KEY_AUTHORIZATION = /^ApiKey(?:\s+([^]*))?$/i;

/**
 * Whether an Authorization header uses the API-key scheme, and the key it
 * carries ('' when none came after the scheme); undefined for any other header.
 */
export function apiKeyOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : API_KEY_AUTHORIZATION.exec(value);
  return match ? (match[1] ?? '').trim() : undefined;
}
