// The load of the gateway benchmark: autocannon in this process, keeping its connections busy
// for a while, each request carrying the next user's token (or one user's for all), and every
// response checked: status 200, no errors, and exactly the data that user must get.
import autocannon from 'autocannon';

/** One load run's settings. */
export interface LoadSpec {
  /** The GraphQL endpoint. */
  url: string;
  /** The request body (the query's text, or its trusted document's id). */
  body: string;
  /** Users in turn: each request carries the next one's token. */
  users: readonly { token: string; expectedData: string }[];
  connections: number;
  seconds: number;
}

/** What one run saw. */
export interface LoadOutcome {
  /** Responses that were correct. */
  ok: number;
  /** Responses that were not: wrong status, errors, or other data. */
  wrong: number;
  /** Requests that got no response (connection errors, timeouts). */
  failed: number;
  /** Requests sent, those still in flight when the window closed included. */
  sent: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** The first wrong answers, cut short. */
  samples: string[];
}

/** Whether `body` is a correct answer: `"data":` followed by exactly the expected data, and no errors. */
export function isCorrect(body: string, expectedData: string): boolean {
  if (body.includes(`"data":${expectedData}`) && !body.includes('"errors":')) return true;
  // Not byte for byte: parse it and compare the data whatever the keys' order.
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: unknown };
    return parsed.errors === undefined && sameValue(parsed.data, JSON.parse(expectedData));
  } catch {
    return false;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameValue(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Runs the load for `spec.seconds` and checks every response. */
export async function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  let ok = 0;
  let wrong = 0;
  const samples: string[] = [];
  let next = 0;
  const single = spec.users.length === 1;
  const started = performance.now();
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: spec.users[0].token },
    body: spec.body,
    initialContext: { user: 0 },
    requests: [
      {
        // One user: the request is built once. Many: each request takes the next user's token.
        ...(single
          ? {}
          : {
              setupRequest: (request, context) => {
                const user = next++ % spec.users.length;
                (context as { user: number }).user = user;
                request.headers = { ...request.headers, authorization: spec.users[user].token };
                return request;
              },
            }),
        onResponse: (status, body, context) => {
          const user = (context as { user: number }).user;
          if (status === 200 && isCorrect(body, spec.users[user].expectedData)) ok += 1;
          else {
            wrong += 1;
            if (samples.length < 3) samples.push(`HTTP ${status}: ${body.slice(0, 300)}`);
          }
        },
      },
    ],
  });
  // autocannon's own window: the requests still in flight when it ends are not counted.
  const seconds = result.duration || (performance.now() - started) / 1000;
  return {
    ok,
    wrong,
    failed: result.errors + result.timeouts,
    sent: result.requests.sent,
    seconds,
    requestsPerSecond: ok / seconds,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    samples,
  };
}
