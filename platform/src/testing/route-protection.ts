import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createKeySet, createServiceTokenIssuer, generatePrivateJwk, SERVICE_TOKEN_HEADER } from '../auth';
import type { PublicRoute } from '../server/use-service-access';
import type { TestServiceKeys } from './test-service-keys';

/** What a probe request got back. */
export interface ProbeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: any; // any: every route answers its own shape; probes read what they need.
}

/** One protected route and a request that its handler answers. */
export interface RouteProbe {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as registered, e.g. `/internal/ledger/transfers/:id`. */
  route: string;
  /** A concrete path for it; default `route`. */
  path?: string;
  /** A JSON body, made afresh for every attempt (new idempotency keys, say). */
  body?: () => unknown;
  /** The service whose token the route accepts; default `gateway`. */
  caller?: string;
  /** Services with valid tokens for this server that the route must still refuse. */
  refusedCallers?: string[];
  /** True when the answer came from the route's handler: what the right token gets on the plain path. */
  reachedHandler(response: ProbeResponse): boolean;
}

/** Options for {@link checkRouteProtection}. */
export interface RouteProtectionOptions {
  /** The internal server, built; it is put on a loopback port if it is not listening. */
  app: FastifyInstance;
  /** The server's service name: the audience its tokens must name. */
  audience: string;
  /** The keys the server trusts (its SERVICE_TRUSTED_KEYS). */
  keys: TestServiceKeys;
  /** One probe for every protected route; a protected route without one is reported. */
  probes: RouteProbe[];
  /**
   * The routes that must be public, by registered URL and method; any other public route or
   * method is reported, and every other method registered on a public URL must refuse a request without a token.
   */
  publicRoutes: PublicRoute[];
}

/** What {@link checkRouteProtection} found. */
export interface RouteProtectionReport {
  /** Requests sent. */
  attempts: number;
  /** Each request answered other than it must be, and each route left out of the probes or public by mistake. */
  violations: string[];
}

/** Statuses of a refusal: a bad target, no or a wrong token, a caller not allowed, no such route or method. */
const REFUSAL_STATUSES = new Set([400, 401, 403, 404, 405]);
const OTHER_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

function percent(char: string, lower = false): string {
  const hex = [...Buffer.from(char, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  return lower ? hex : hex.toUpperCase();
}

/**
 * Spellings of one request target that routers and proxies have been known to
 * read as, or not as, the same route: percent-encoding of every character
 * position (upper and lower hex), encoded and doubled slashes, case, absolute
 * form, dot segments, trailing slashes, query strings, `;` parameters,
 * fragments, backslashes, NUL and overlong UTF-8.
 */
export function requestTargetSpellings(path: string, host: string): string[] {
  const out = new Set<string>([path]);
  const chars = [...path];
  chars.forEach((char, i) => {
    if (i === 0) return;
    const before = chars.slice(0, i).join('');
    const after = chars.slice(i + 1).join('');
    out.add(before + percent(char) + after);
    out.add(before + percent(char, true) + after);
    if (char === '/') {
      out.add(`${before}//${after}`);
      out.add(`${before}\\${after}`);
      out.add(`${before}/./${after}`);
      out.add(`${before}/%2e/${after}`);
      out.add(`${before}%C0%AF${after}`);
    }
  });
  out.add('/' + chars.slice(1).map((c) => percent(c)).join(''));
  out.add(`/%25${percent(chars[1]).slice(1)}${chars.slice(2).join('')}`);
  out.add(path.toUpperCase());
  out.add(chars.map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''));
  out.add(path.replace(/^\/(.)/, (_m, c: string) => `/${c.toUpperCase()}`));
  for (const scheme of ['http', 'HTTP', 'https']) out.add(`${scheme}://${host}${path}`);
  out.add(`http://${host}:80${path}`);
  out.add(`//${host}${path}`);
  out.add(`/${path}`);
  out.add(`${path}/`);
  out.add(`${path}//`);
  out.add(`/.${path}`);
  out.add(`/x/..${path}`);
  out.add(`/x/%2e%2e${path}`);
  out.add(`/x/%2E%2E${path}`);
  out.add(`${path}/.`);
  out.add(`${path}/..`);
  out.add(`${path}?`);
  out.add(`${path}?a=1`);
  out.add(`${path}?path=/health/live`);
  out.add(`${path};`);
  out.add(`${path};a=1`);
  out.add(path.replace(/^(\/[^/]+)/, '$1;a=1'));
  out.add(`${path}#`);
  out.add(`${path}#/health/live`);
  out.add(`${path}%00`);
  out.add(`${path}%20`);
  out.add(`${path}%09`);
  return [...out];
}

/** Requests in flight at once, over kept-alive connections. */
const CONCURRENCY = 8;

/** Runs `tasks` with at most `limit` at a time. */
async function inBatches(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

async function send(agent: http.Agent, port: number, method: string, target: string, headers: Record<string, string>, body?: unknown): Promise<ProbeResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: target,
        agent,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function describe(response: ProbeResponse): string {
  return `${response.status} ${response.text.slice(0, 160)}`;
}

/**
 * Sends every probe's route, spelled every way {@link requestTargetSpellings}
 * knows and with every other method, without a token, with an empty one,
 * with one for another audience, one from an untrusted key, one naming the
 * caller but signed with another service's key, and valid ones from services
 * the route refuses: each must be refused and never reach the handler. With
 * the right token the plain path must reach the handler, and no spelling may
 * fail with a server error. Also checks the server's access table: every
 * protected route has a probe and only `publicRoutes` are public (by URL and
 * method); another method on a public URL must refuse a request without a token.
 */
export async function checkRouteProtection(options: RouteProtectionOptions): Promise<RouteProtectionReport> {
  const { app, audience, keys } = options;
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  const violations: string[] = [];
  let attempts = 0;

  const table = app.routeAccess();
  const probed = new Set(options.probes.map((p) => `${p.method} ${p.route}`));
  const meantPublic = (method: string, url: string) => options.publicRoutes.some((r) => r.url === url && r.methods.includes(method));
  const publicUrls = new Set(table.filter((entry) => entry.access === 'public').map((entry) => entry.url));
  /** Protected methods of a public URL (HEAD of a GET-only one, say): each must refuse a request without a token. */
  const guardedOnPublicUrls: { method: string; url: string }[] = [];
  for (const entry of table) {
    const key = `${entry.method} ${entry.url}`;
    if (entry.access === 'public') {
      if (!meantPublic(entry.method, entry.url)) violations.push(`${key} is public but not on the public list`);
    } else if (probed.has(key) || (entry.method === 'HEAD' && probed.has(`GET ${entry.url}`))) {
      continue;
    } else if (publicUrls.has(entry.url)) {
      guardedOnPublicUrls.push(entry);
    } else {
      violations.push(`${key} is protected but has no probe`);
    }
  }
  for (const { url, methods } of options.publicRoutes) {
    for (const method of methods) {
      if (!table.some((entry) => entry.url === url && entry.method === method && entry.access === 'public')) violations.push(`${method} ${url} should be public but is not`);
    }
  }
  for (const probe of options.probes) {
    if (!table.some((entry) => entry.access === 'service' && entry.method === probe.method && entry.url === probe.route)) {
      violations.push(`${probe.method} ${probe.route} has a probe but is not a protected route`);
    }
  }

  const rogue = await createKeySet([await generatePrivateJwk()]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    for (const { method, url } of guardedOnPublicUrls) {
      const response = await send(agent, port, method, url, {}, method === 'GET' || method === 'HEAD' ? undefined : {});
      attempts += 1;
      if (response.status !== 401) violations.push(`${method} ${url} without a token was not refused by the service-token check: ${describe(response)}`);
    }
    for (const probe of options.probes) {
      const caller = probe.caller ?? 'gateway';
      const path = probe.path ?? probe.route;
      const impersonator = ['gateway', 'bff-web', 'bff-mobile', 'payments', 'bff-test'].find((s) => s !== caller && safeKeys(keys, s));
      const wrong: [string, string | undefined][] = [
        ['no token', undefined],
        ['an empty token', ''],
        ['a token for another audience', await keys.issuerFor(caller)(`${audience}-other`)],
        ['a token from an untrusted key', await createServiceTokenIssuer({ service: caller, keys: rogue })(audience)],
        ...(impersonator
          ? ([[`a token naming ${caller} signed with ${impersonator}'s key`, await createServiceTokenIssuer({ service: caller, keys: keys.keysOf(impersonator) })(audience)]] as [string, string][])
          : []),
        ...(await Promise.all((probe.refusedCallers ?? []).map(async (other): Promise<[string, string]> => [`a valid token of ${other}`, await keys.issuerFor(other)(audience)]))),
      ];
      const right = await keys.issuerFor(caller)(audience);
      const tokenHeaders = (token: string | undefined): Record<string, string> => (token === undefined ? {} : { [SERVICE_TOKEN_HEADER]: token });

      const plain = await send(agent, port, probe.method, path, tokenHeaders(right), probe.body?.());
      attempts += 1;
      if (!probe.reachedHandler(plain)) violations.push(`${probe.method} ${path} with the right token did not reach the handler: ${describe(plain)}`);

      const targets = requestTargetSpellings(path, host);
      const methods = OTHER_METHODS.filter((m) => m !== probe.method && !(probe.method === 'GET' && m === 'HEAD'));
      const requests: [string, string][] = [...targets.map((t): [string, string] => [probe.method, t]), ...methods.map((m): [string, string] => [m, path])];
      if (probe.method === 'GET') requests.push(['HEAD', path]);
      // HEAD is the GET route's twin: it has no body to recognise, so any success counts as reaching the handler.
      const reachedBy = (method: string, response: ProbeResponse) =>
        method === probe.method
          ? probe.reachedHandler(response)
          : // HEAD runs the GET handler: a success, or what the probe recognises without a body (its headers).
            probe.method === 'GET' && method === 'HEAD' && (response.status < 300 || probe.reachedHandler(response));
      const tasks: (() => Promise<void>)[] = [];
      for (const [method, target] of requests) {
        const body = () => (method === 'GET' || method === 'HEAD' ? undefined : probe.body?.());
        for (const [label, token] of wrong) {
          tasks.push(async () => {
            const response = await send(agent, port, method, target, tokenHeaders(token), body());
            attempts += 1;
            if (!REFUSAL_STATUSES.has(response.status) || reachedBy(method, response)) {
              violations.push(`${method} ${target} with ${label} was not refused: ${describe(response)}`);
            }
          });
        }
        tasks.push(async () => {
          const response = await send(agent, port, method, target, tokenHeaders(right), body());
          attempts += 1;
          const reached = reachedBy(method, response);
          if (!reached && !REFUSAL_STATUSES.has(response.status)) violations.push(`${method} ${target} with the right token failed: ${describe(response)}`);
          if (!reached && response.status === 401) violations.push(`${method} ${target} refused the right token: ${describe(response)}`);
        });
      }
      await inBatches(tasks, CONCURRENCY);
    }
  } finally {
    agent.destroy();
  }
  return { attempts, violations };
}

function safeKeys(keys: TestServiceKeys, service: string): boolean {
  try {
    keys.keysOf(service);
    return true;
  } catch {
    return false;
  }
}
