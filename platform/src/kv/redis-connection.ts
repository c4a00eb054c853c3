/** Options for a Redis connection (key-value store, rate limiter). */
export interface RedisConnectionOptions {
  url: string;
  /** Prefix on every key, to share one Redis between environments or tests. Default ''. */
  keyPrefix?: string;
  /** Longest a command may take before it fails, in ms. Default 500. */
  commandTimeoutMs?: number;
  /** Longest a connection attempt may take, in ms. Default 2 s. */
  connectTimeoutMs?: number;
}

/**
 * Connects to Redis so that an outage means fast errors, never hung requests:
 * no offline queue, a deadline on every command, a periodic PING to notice a
 * silently dead link, and a first connection that fails instead of retrying forever.
 */
export async function connectRedis(options: RedisConnectionOptions) {
  // Loaded on the first connection: the embedded mode never connects, and node-redis is hundreds of modules.
  const { createClient } = await import('redis');
  const timeoutMs = options.commandTimeoutMs ?? 500;
  let connected = false;
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    // A periodic PING notices a silently dead link (no FIN, no RST) and triggers a reconnect.
    pingInterval: 5_000,
    commandOptions: { timeout: timeoutMs },
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      // Before the first connection, give up so connect() rejects (a bad URL or a down Redis
      // fails the start) instead of retrying forever; once connected, reconnect with backoff.
      reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, 2_000) : false),
    },
  });
  // Without a listener node-redis rethrows connection errors; callers see them as failed commands.
  client.on('error', () => {});
  await client.connect();
  connected = true;

  /**
   * node-redis' own timeout only covers a command waiting to be written; this one also
   * covers waiting for the reply, which never comes while the network is stalled.
   * A late reply is still read and dropped by node-redis, so replies never shift.
   */
  function run<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis command timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([command, deadline]).finally(() => clearTimeout(timer));
  }

  return { client, run };
}

/** Removes every key under `prefix` (a test's or a benchmark's own), scanning in batches. */
export async function removeRedisKeys(url: string, prefix: string): Promise<void> {
  const { client } = await connectRedis({ url, commandTimeoutMs: 5_000 });
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      const batch = ([] as string[]).concat(keys);
      if (batch.length > 0) await client.unlink(batch);
    }
  } finally {
    await client.quit().catch(() => undefined);
  }
}
