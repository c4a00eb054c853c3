/**
 * Every Redis key Meridian writes is safe on a Redis Cluster: a command, transaction or script
 * that touches several keys touches one hash slot. The test starts a Redis of its own in cluster
 * mode, owning all 16,384 slots: it runs every command a standalone Redis runs, and refuses
 * cross-slot work exactly as a cluster does (CROSSSLOT), so the real code paths below fail if a
 * transaction spans slots. MONITOR records every command meanwhile; Redis itself names each
 * command's keys (COMMAND GETKEYS) and their slots (CLUSTER KEYSLOT), so the test checks what
 * MONITOR can show (multi-key commands, and scripts touching only the keys they declare, in one
 * slot), that every key has a known shape, and that keys meant to be together share a slot.
 *
 * The static checks at the end keep it complete: only the Redis adapters issue commands, and the
 * key-value port they offer everyone else has single-key methods only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createResponseCache } from '@meridian/bff-core';
import {
  connectRedis,
  createDevMailbox,
  createMemoryKeyValueStore,
  createMemoryRateLimiter,
  createRedisEventBus,
  createRedisKeyValueStore,
  createRedisRateLimiter,
  createRedisSessionRevocations,
  type BusEvent,
} from '@meridian/platform';
import pino from 'pino';
import { WebSessionStore } from '../../bff/web/src/session/web-session-store';

const root = path.resolve(__dirname, '../..');

/** Every key shape Meridian writes (docs/operations.md, "Redis keys"), under the production prefix `meridian:`. */
const KEY_SHAPES: [what: string, shape: RegExp][] = [
  ['an event stream', /^meridian:\{[a-z]+\.events\}$/],
  ['its dead-letter stream, in the same slot', /^meridian:\{[a-z]+\.events\}\.dlq$/],
  ['an event id a consumer group handled', /^meridian:events:processed:[a-z]+\.events(\.dlq)?:[a-z-]+:[0-9a-f-]{36}$/],
  ['the list of ended sessions', /^meridian:sessions:revoked$/],
  ["a caller's request and cost budget", /^meridian:bff-(web|mobile):rl:(user|ip|apikey):[^{}]+$/],
  ["a field's recent calls by one caller", /^meridian:bff-(web|mobile):calls:field:[^{}]+$/],
  ["a user's response-cache generation", /^meridian:response-cache:generation:[^{}]+$/],
  ['a cached response', /^meridian:response-cache:entry:fqc:[^{}]+$/],
  ['a web session', /^meridian:bff-web:web-session:[0-9a-f]{64}$/],
  ['a web session found by its identity session id', /^meridian:bff-web:web-session-id:[^{}]+$/],
  ["a web session's refresh lock", /^meridian:bff-web:web-session-refresh:[0-9a-f]{64}$/],
  ['failed API-key look-ups from one address', /^meridian:bff-web:api-key-failures:[^{}]+$/],
  ["a development mailbox's counter and messages, in one slot", /^meridian:notifications:dev-mailbox:\{[^{}]+\}:(count|\d+)$/],
];

/**
 * The key-value port's methods, each on one key. A method on several keys (MGET, a transaction)
 * must keep them in one slot: add it here only with a hash tag rule and a case in the test below.
 */
const KEY_VALUE_METHODS = ['close', 'delete', 'expire', 'get', 'incrementWindow', 'kind', 'ping', 'set', 'setIfAbsent', 'ttl'];

/** A command as MONITOR shows it: the connection it came from (`lua` inside a script) and its arguments. */
interface Seen {
  client: string;
  args: string[];
}

/** Reads one MONITOR line: `1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "v"`, arguments escaped as Redis prints them. */
function parseMonitorLine(line: string): Seen | undefined {
  const head = /^\d+\.\d+ \[\d+ ([^\]]+)\] /.exec(line);
  if (!head) return undefined;
  const args: string[] = [];
  let i = head[0].length;
  while (i < line.length) {
    if (line[i] === ' ') {
      i += 1;
      continue;
    }
    if (line[i] !== '"') throw new Error(`MONITOR line not understood at ${i}: ${line}`);
    let arg = '';
    for (i += 1; line[i] !== '"'; i += 1) {
      if (i >= line.length) throw new Error(`MONITOR line ends inside a string: ${line}`);
      if (line[i] !== '\\') {
        arg += line[i];
        continue;
      }
      const next = line[(i += 1)];
      if (next === 'x') {
        arg += String.fromCharCode(parseInt(line.slice(i + 1, i + 3), 16));
        i += 2;
      } else arg += ({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' } as Record<string, string>)[next] ?? next;
    }
    args.push(arg);
    i += 1;
  }
  return { client: head[1], args };
}

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function redisServer(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return 'redis-server';
  } catch {
    return undefined;
  }
}

const REDIS_SERVER = redisServer();
const describeCluster = REDIS_SERVER ? describe : describe.skip;

describeCluster(REDIS_SERVER ? 'Redis keys on a cluster node' : 'Redis keys on a cluster node (skipped: redis-server is not installed)', () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;
  let admin: Awaited<ReturnType<typeof connectRedis>>;
  let monitor: Awaited<ReturnType<typeof connectRedis>>;
  /** The test's own connection, whose questions (keys, slots, flags) MONITOR shows too and the analysis leaves out. */
  let adminAddress: string;
  const seen: Seen[] = [];
  /** What the code under test opened, closed even when a step fails (a consumer left running would keep Jest alive). */
  const opened: { close(): Promise<unknown> }[] = [];
  /** Warnings and errors the code logged: a refused command (CROSSSLOT) shows here first. */
  const logged: string[] = [];
  const logger = pino(
    { level: 'warn' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        logged.push(`${entry.msg}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
      },
    },
  );
  /** Fails with what the code logged when `what` does not happen. */
  const expectSoon = (what: string, probe: () => Promise<true | undefined>) =>
    until(what, probe).catch((err: Error) => {
      throw new Error(`${err.message}; logged meanwhile: ${[...new Set(logged)].slice(-3).join(' | ') || 'nothing'}`);
    });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-redis-cluster-'));
    const [port, clusterPort] = [await freePort(), await freePort()];
    server = spawn(
      REDIS_SERVER!,
      ['--port', String(port), '--cluster-port', String(clusterPort), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
        '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    url = `redis://127.0.0.1:${port}`;
    admin = await until('the Redis server', () => connectRedis({ url, commandTimeoutMs: 5_000 }));
    adminAddress = /addr=(\S+)/.exec(String(await admin.client.sendCommand(['CLIENT', 'INFO'])))![1];
    await admin.client.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    await until('the cluster state', async () => (/cluster_state:ok/.test(String(await admin.client.sendCommand(['CLUSTER', 'INFO']))) ? true : undefined));
    monitor = await connectRedis({ url, commandTimeoutMs: 5_000 });
    await monitor.client.monitor((line: string) => {
      const parsed = parseMonitorLine(line);
      if (parsed) seen.push(parsed);
    });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(opened.map((o) => o.close().catch(() => undefined)));
    monitor?.client.destroy();
    admin?.client.destroy();
    server?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until MONITOR has shown every command sent so far (its lines arrive after the replies). */
  async function caughtUp(): Promise<void> {
    const marker = `caught-up-${randomUUID()}`;
    await admin.client.sendCommand(['ECHO', marker]);
    await until('MONITOR to catch up', async () => (seen.some((s) => s.args[1] === marker) ? true : undefined));
  }

  /** What MONITOR saw: each command's keys as Redis names them and their slots, commands across slots, keys written. */
  async function analyse(recorded: Seen[]) {
    const commands = recorded.filter((c) => c.client !== adminAddress);
    const keysOf = new Map<string, string[]>();
    const slotOf = new Map<string, number>();
    const getKeys = async (args: string[]): Promise<string[]> => {
      const id = JSON.stringify(args);
      if (!keysOf.has(id)) {
        const keys = await admin.client.sendCommand(['COMMAND', 'GETKEYS', ...args]).catch(() => []);
        keysOf.set(id, (keys as unknown[]).map(String));
      }
      return keysOf.get(id)!;
    };
    const slot = async (key: string): Promise<number> => {
      if (!slotOf.has(key)) slotOf.set(key, Number(await admin.client.sendCommand(['CLUSTER', 'KEYSLOT', key])));
      return slotOf.get(key)!;
    };
    // Whether a command writes, as Redis flags it (a container command such as XGROUP by its subcommand).
    const writes = new Map<string, boolean>();
    const isWrite = async (args: string[]): Promise<boolean> => {
      const names = args.length > 1 ? [`${args[0]}|${args[1]}`.toLowerCase(), args[0].toLowerCase()] : [args[0].toLowerCase()];
      for (const name of names) {
        if (!writes.has(name)) {
          const [info] = (await admin.client.sendCommand(['COMMAND', 'INFO', name])) as unknown[][];
          writes.set(name, info ? (info[2] as unknown[]).map(String).includes('write') : false);
        }
        if (writes.get(name)) return true;
      }
      return false;
    };
    const crossSlot: string[] = [];
    const undeclared: string[] = [];
    let script: { args: string[]; keys: string[] } | undefined;
    const written = new Set<string>();
    for (const command of commands) {
      const keys = await getKeys(command.args);
      if (keys.length > 0 && (await isWrite(command.args))) for (const key of keys) written.add(key);
      const slots = new Set(await Promise.all(keys.map(slot)));
      if (slots.size > 1) crossSlot.push(`${command.args[0]} ${keys.join(' ')}`);
      if (/^(eval|evalsha|fcall)/i.test(command.args[0])) script = { args: command.args, keys };
      else if (command.client === 'lua') {
        const outside = keys.filter((key) => !script?.keys.includes(key));
        if (outside.length > 0) undeclared.push(`${command.args[0]} ${outside.join(' ')} in a script declaring ${script?.keys.join(' ')}`);
      }
    }
    return { crossSlot, undeclared, written, slot };
  }

  it('runs every Redis code path with each transaction and script in one slot, and every key of a known shape', async () => {
    const users = Array.from({ length: 20 }, () => randomUUID());

    // The event bus: consumers, retries, a poison event parked (XADD to the dead letters and XACK, one MULTI), a
    // group reading the dead letters, group stats.
    const bus = await createRedisEventBus({ url, keyPrefix: 'meridian:', commandTimeoutMs: 2_000, logger });
    opened.push(bus);
    const fast = { retryDelayMs: 150, blockMs: 50 };
    const handled: string[] = [];
    const replayed: string[] = [];
    const poison: BusEvent = { id: randomUUID(), type: 'ledger.transfer.posted', payload: { poison: true, ownerIds: [users[0]] }, occurredAt: new Date() };
    await bus.subscribe('ledger.events', 'insights', 'c1', async (e) => void handled.push(e.id), fast);
    await bus.subscribe('payments.events', 'insights', 'c1', async (e) => void handled.push(e.id), fast);
    await bus.subscribe('ledger.events', 'bff-mobile-response-cache', 'c1', async (e) => {
      if (e.payload.poison) throw new Error('cannot be handled');
    }, { ...fast, maxAttempts: 2 });
    await bus.subscribe('ledger.events.dlq', 'replay', 'c1', async (e) => void replayed.push(e.id), fast);
    const events: BusEvent[] = users.slice(0, 3).map((userId) => ({ id: randomUUID(), type: 'payments.payment.succeeded', payload: { userId }, occurredAt: new Date() }));
    await bus.publish('ledger.events', poison);
    for (const e of events) await bus.publish('payments.events', e);
    await expectSoon('every event handled and the poison one parked and replayed', async () =>
      handled.length === 4 && replayed.includes(poison.id) && (await bus.deadLetters('ledger.events')).length === 1 ? true : undefined,
    );
    expect(await bus.groupStats('ledger.events', 'insights')).toEqual({ lag: 0, pending: 0, deadLetters: 1 });
    await bus.close();

    // The list of ended sessions (one MULTI of XADDs to one stream), read back by polling.
    const revocations = createRedisSessionRevocations({ url, keyPrefix: 'meridian:', pollIntervalMs: 50, logger });
    opened.push(revocations);
    await revocations.firstSync;
    await revocations.revoke(['sid-1', 'sid-2'], 60_000);
    expect(revocations.isRevoked('sid-2')).toBe(true);
    await revocations.close();

    // Rate limits as the BFFs key them (RATE_LIMIT_KEY_PREFIX + the BFF's name): a budget per caller, a field's calls.
    for (const bff of ['bff-mobile', 'bff-web']) {
      const limiter = await createRedisRateLimiter({ url, keyPrefix: `meridian:${bff}:` });
      opened.push(limiter);
      const policy = { requestsPerWindow: 100, windowMs: 60_000, costCapacity: 1_000, costRestoreRate: 50 };
      for (const caller of [...users.map((u) => `user:${u}`), 'ip:203.0.113.7', `apikey:${randomUUID()}`]) {
        expect((await limiter.check(caller, 5, policy)).allowed).toBe(true);
      }
      expect(await limiter.recordCall(`field:user:${users[0]}:Mutation.createPayment`, Date.now(), 60_000)).toEqual([]);
      await limiter.close();
    }

    // The BFFs' response cache: a user's generation, entries keyed as Apollo's plugin keys them, invalidation.
    const shared = await createRedisKeyValueStore({ url, keyPrefix: 'meridian:' });
    opened.push(shared);
    const cache = createResponseCache({ store: shared, maxAgeSeconds: 60 });
    for (const userId of users.slice(0, 5)) {
      const generation = await cache.generation(userId);
      const key = `fqc:${userId}:${randomUUID()}:${generation}:accounts:read:hash`;
      await cache.entries.set(key, '{"data":{}}', { ttl: 30 });
      expect(await cache.entries.get(key)).toBe('{"data":{}}');
      await cache.entries.delete(key);
    }
    await cache.invalidate(users.slice(0, 5));

    // The development mailbox (identity's and KYC's in development; one hash tag per recipient).
    const mailbox = createDevMailbox({ kv: shared, maxPerRecipient: 2 });
    for (let n = 0; n < 3; n += 1) await mailbox.send({ channel: 'EMAIL', to: 'Ada@Example.com', template: 'identity.verify_email', text: `code ${n}` });
    expect((await mailbox.list('ada@example.com')).map((m) => m.text)).toEqual(['code 2', 'code 1']);
    // The store's methods are the port's: single-key operations only (see below).
    expect(Object.keys(shared).sort()).toEqual(KEY_VALUE_METHODS);
    await shared.close();

    // The web BFF's store (its own prefix): sessions, their index and refresh locks, failed API-key look-ups.
    const web = await createRedisKeyValueStore({ url, keyPrefix: 'meridian:bff-web:' });
    opened.push(web);
    const sessions = new WebSessionStore(web, { idleMs: 60_000, absoluteMs: 3_600_000 });
    const now = Date.now();
    const { secret, session } = await sessions.create({ id: randomUUID(), userId: users[0], accessToken: 'a', accessExpiresAt: now + 60_000, refreshToken: 'r', refreshExpiresAt: now + 600_000 });
    const loaded = (await sessions.load(secret))!;
    expect(loaded.session).toEqual(session);
    await sessions.touch(loaded);
    expect(await sessions.lockRefresh(loaded.handle, 5_000)).toBe(true);
    await sessions.save(loaded);
    await sessions.unlockRefresh(loaded.handle);
    expect(await sessions.destroyById(session.id)).toBe(true);
    await web.incrementWindow('api-key-failures:203.0.113.7', 60_000);
    expect(await web.ttl('api-key-failures:203.0.113.7')).toBeGreaterThan(0);
    await web.close();

    await caughtUp();

    const { crossSlot, undeclared, written, slot } = await analyse(seen);
    expect(seen.length).toBeGreaterThan(100);
    expect(crossSlot).toEqual([]);
    expect(undeclared).toEqual([]);

    const unknown = [...written].filter((key) => !KEY_SHAPES.some(([, shape]) => shape.test(key)));
    expect(unknown).toEqual([]);
    // Every shape was written here, so none of them is a promise the test does not check.
    expect(KEY_SHAPES.filter(([, shape]) => ![...written].some((key) => shape.test(key))).map(([what]) => what)).toEqual([]);

    // Keys meant to be together: a stream and its dead letters; a recipient's mailbox counter and messages.
    for (const key of [...written].filter((k) => k.endsWith('.dlq'))) expect([key, await slot(key)]).toEqual([key, await slot(key.slice(0, -'.dlq'.length))]);
    const mailboxSlots = new Set(await Promise.all([...written].filter((k) => k.includes('dev-mailbox')).map(slot)));
    expect(mailboxSlots.size).toBe(1);
    // And keys meant to spread: no hash tag in a prefix puts every user's budget on one node.
    const budgetSlots = new Set(await Promise.all([...written].filter((k) => k.startsWith('meridian:bff-mobile:rl:user:')).map(slot)));
    expect(budgetSlots.size).toBeGreaterThan(10);
  }, 60_000);

  it('would see a script touching a key it does not declare', async () => {
    const from = seen.length;
    const careless = await connectRedis({ url, commandTimeoutMs: 5_000 });
    await careless.client.sendCommand(['EVAL', "redis.call('SET', KEYS[1] .. ':other', '1') return 1", '1', 'meridian:probe']);
    careless.client.destroy();
    await caughtUp();
    const { undeclared, written } = await analyse(seen.slice(from));
    expect(undeclared).toEqual(['SET meridian:probe:other in a script declaring meridian:probe']);
    expect([...written]).toEqual(['meridian:probe:other']);
  });
});

describe('the Redis surface', () => {
  /** Source files outside the adapters never talk to Redis themselves. */
  it('issues commands from the Redis adapters only', () => {
    const adapters = [
      'platform/src/kv/redis-connection.ts',
      'platform/src/kv/redis-key-value-store.ts',
      'platform/src/rate-limit/redis-rate-limiter.ts',
      'platform/src/events/redis-event-bus.ts',
      'platform/src/auth/redis-session-revocations.ts',
    ];
    const dirs = ['platform/src', 'supergraph/src', 'scripts', ...['bff', 'subgraphs'].flatMap((d) => fs.readdirSync(path.join(root, d)).map((w) => `${d}/${w}/src`))];
    const files = dirs
      .filter((d) => fs.existsSync(path.join(root, d)))
      .flatMap((d) => (fs.readdirSync(path.join(root, d), { recursive: true }) as string[]).map((f) => `${d}/${f}`))
      .filter((f) => f.endsWith('.ts') && !f.includes('__generated__'));
    const talking = files.filter((f) => /from 'redis'|import\('redis'\)|\bconnectRedis\(/.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(talking.sort()).toEqual([...adapters].sort());
  });

  it('offers everyone else single-key operations only', () => {
    expect(Object.keys(createMemoryKeyValueStore()).sort()).toEqual(KEY_VALUE_METHODS);
    expect(Object.keys(createMemoryRateLimiter()).sort()).toEqual(['check', 'close', 'kind', 'recordCall']);
  });

  it('reads MONITOR lines as Redis prints them', () => {
    expect(parseMonitorLine('1700000000.123456 [0 127.0.0.1:5000] "SET" "a\\"b" "\\xe2\\x82\\xac\\n"')).toEqual({ client: '127.0.0.1:5000', args: ['SET', 'a"b', '\xe2\x82\xac\n'] });
    expect(parseMonitorLine('1700000000.123456 [0 lua] "INCR" "k"')).toEqual({ client: 'lua', args: ['INCR', 'k'] });
    expect(parseMonitorLine('OK')).toBeUndefined();
  });
});
