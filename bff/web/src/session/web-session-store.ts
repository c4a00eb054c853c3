import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '@meridian/platform';

/** A browser's signed-in session, kept server-side; the browser holds only an opaque cookie. */
export interface WebSession {
  /** Identity's session id (the access token's `sid`), shown in the sessions list. */
  id: string;
  userId: string;
  accessToken: string;
  /** Epoch ms. */
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  createdAt: number;
  /** The session ends here however active it is (the absolute timeout). */
  absoluteExpiresAt: number;
}

/** Lifetimes of {@link WebSessionStore} sessions. */
export interface WebSessionTimeouts {
  /** Ended after this long without a request. */
  idleMs: number;
  /** Ended this long after sign-in, whatever the activity. */
  absoluteMs: number;
}

/** A session as read for one request: its record and the key that finds it. */
export interface LoadedWebSession {
  handle: string;
  session: WebSession;
}

const RECORD = 'web-session:';
const BY_ID = 'web-session-id:';
const LOCK = 'web-session-refresh:';

/** The store key of a cookie value: its SHA-256, so the store never holds a usable cookie. */
function handleOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A cookie value is 32 random bytes, base64url. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Web sessions in the key-value store (Redis, or memory when embedded). A
 * record lives for the idle timeout, renewed on each request, never past the
 * absolute timeout; an index by identity session id allows remote sign-out.
 */
export class WebSessionStore {
  constructor(
    private readonly kv: KeyValueStore,
    readonly timeouts: WebSessionTimeouts,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for a fresh token pair; resolves with the cookie value. */
  async create(tokens: Omit<WebSession, 'createdAt' | 'absoluteExpiresAt'>): Promise<{ secret: string; session: WebSession }> {
    const now = this.now();
    const session: WebSession = { ...tokens, createdAt: now, absoluteExpiresAt: now + this.timeouts.absoluteMs };
    const secret = randomBytes(32).toString('base64url');
    const handle = handleOf(secret);
    const ttl = this.ttlFor(session);
    await this.kv.set(RECORD + handle, JSON.stringify(session), ttl);
    await this.kv.set(BY_ID + session.id, handle, ttl);
    return { secret, session };
  }

  /** The live session of a cookie value, or null (unknown, idle too long, or past its absolute end). */
  async load(secret: string | undefined): Promise<LoadedWebSession | null> {
    if (!secret || !SECRET.test(secret)) return null;
    return this.read(handleOf(secret));
  }

  /** Reads a session by handle, ending it if it has outlived its absolute timeout. */
  async read(handle: string): Promise<LoadedWebSession | null> {
    const raw = await this.kv.get(RECORD + handle);
    if (!raw) return null;
    const session = JSON.parse(raw) as WebSession;
    if (session.absoluteExpiresAt <= this.now()) {
      await this.destroy({ handle, session });
      return null;
    }
    return { handle, session };
  }

  /** Restarts the idle timer (without rewriting the record, so it cannot undo a concurrent refresh). */
  async touch({ handle, session }: LoadedWebSession): Promise<void> {
    const ttl = this.ttlFor(session);
    await this.kv.expire(RECORD + handle, ttl);
    await this.kv.expire(BY_ID + session.id, ttl);
  }

  /** Stores a refreshed token pair. */
  async save({ handle, session }: LoadedWebSession): Promise<void> {
    await this.kv.set(RECORD + handle, JSON.stringify(session), this.ttlFor(session));
  }

  /** Ends a session. */
  async destroy({ handle, session }: LoadedWebSession): Promise<void> {
    await this.kv.delete(RECORD + handle);
    await this.kv.delete(BY_ID + session.id);
  }

  /** Ends the browser session with this identity session id, if there is one; true when one was ended. */
  async destroyById(id: string): Promise<boolean> {
    const handle = await this.kv.get(BY_ID + id);
    if (!handle) return false;
    await this.kv.delete(BY_ID + id);
    return this.kv.delete(RECORD + handle);
  }

  /** Takes the refresh lock of a session for `ttlMs`; false when another request holds it. */
  lockRefresh(handle: string, ttlMs: number): Promise<boolean> {
    return this.kv.setIfAbsent(LOCK + handle, '1', ttlMs);
  }

  async unlockRefresh(handle: string): Promise<void> {
    await this.kv.delete(LOCK + handle);
  }

  private ttlFor(session: WebSession): number {
    return Math.max(1, Math.min(this.timeouts.idleMs, session.absoluteExpiresAt - this.now()));
  }
}
