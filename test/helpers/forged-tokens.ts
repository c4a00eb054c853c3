import { createHmac, createPublicKey } from 'node:crypto';
import { generatePrivateJwk, createKeySet, issueAccessToken, type KeySet, type TokenAudience } from '@meridian/platform';
import { SignJWT } from 'jose';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()) };
}

/**
 * Tokens an attacker would try, each derived from a genuine token so that
 * only the one property under test is wrong.
 */
export async function forgeTokens(keys: KeySet, aud: TokenAudience, userId: string) {
  const genuine = (await issueAccessToken(keys, aud, { userId, sessionId: 'sess-1', roles: ['CUSTOMER'], scopes: ['profile:read'], ttlSeconds: 600 })).token;
  const { header, payload } = decode(genuine);
  const signWith = async (ks: KeySet, a: TokenAudience, ttlSeconds = 600) =>
    (await issueAccessToken(ks, a, { userId, sessionId: 'sess-1', roles: ['CUSTOMER'], scopes: ['profile:read'], ttlSeconds })).token;

  // HS256 keyed with the public key's PEM: the key-confusion attack on verifiers that trust `alg`.
  const pem = createPublicKey({ key: keys.active.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const hsHeader = b64({ ...header, alg: 'HS256' });
  const hsPayload = b64(payload);
  const hsSig = createHmac('sha256', pem).update(`${hsHeader}.${hsPayload}`).digest('base64url');

  const [h, , s] = genuine.split('.');
  const expired = await new SignJWT({ ...payload, exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 720 })
    .setProtectedHeader(header as never)
    .sign(keys.active.privateKey);

  return {
    genuine,
    expired,
    algNone: `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`,
    hs256WithPublicKey: `${hsHeader}.${hsPayload}.${hsSig}`,
    unknownKid: await signWith(await createKeySet([await generatePrivateJwk()]), aud),
    wrongIssuer: await signWith(keys, { ...aud, issuer: 'https://evil.example.com' }),
    wrongAudience: await signWith(keys, { ...aud, audience: 'some-other-api' }),
    tampered: `${h}.${b64({ ...payload, sub: '00000000-0000-7000-8000-000000000000', roles: ['ADMIN'] })}.${s}`,
  };
}

export type ForgedTokens = Awaited<ReturnType<typeof forgeTokens>>;
