import { documentIdOf } from '@meridian/client';
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/** How the fake answers one request: a JSON body with a status, or no answer at all (the network failed). */
export type FakeAnswer = { status?: number; body: unknown; headers?: Record<string, string> } | 'network-error';

/** One request the app made. */
export interface FakeCall {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

type Answerer<T> = FakeAnswer | ((input: T, call: FakeCall) => FakeAnswer);

/** A GraphQL answer with data. */
export const data = (value: unknown): FakeAnswer => ({ body: { data: value } });

/** A refusal in the API's error shape. */
export const refusal = (code: string, message: string, extensions: Record<string, unknown> = {}, status = 200): FakeAnswer => ({
  status,
  body: { errors: [{ message, extensions: { code, ...extensions } }] },
});

/** The part of a fetch Response the Meridian client reads; jsdom has no Response. */
function response(answer: Exclude<FakeAnswer, 'network-error'>) {
  const status = answer.status ?? 200;
  const headers = new Map(Object.entries(answer.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
    text: async () => JSON.stringify(answer.body),
  } as unknown as Response;
}

/**
 * A stand-in for the web BFF behind `fetch`: GraphQL operations are answered
 * by document (the app sends only `documentId`s, as the real client does), the
 * `/auth/*` routes by path. Anything unexpected fails the test loudly.
 */
export function createFakeBff() {
  const operations = new Map<string, Answerer<Record<string, unknown>>>();
  const routes = new Map<string, Answerer<Record<string, unknown> | undefined>>();
  const calls: FakeCall[] = [];

  const fetch: typeof globalThis.fetch = async (input, init = {}) => {
    const url = new URL(String(input), 'http://bff.test');
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const call: FakeCall = { path: url.pathname, method: init.method ?? 'GET', headers, body };
    calls.push(call);
    let answer: FakeAnswer;
    if (url.pathname === '/graphql') {
      if (typeof body?.query === 'string') throw new Error('the dashboard sent query text: it must send documentId only');
      const answerer = operations.get(String(body?.documentId));
      if (!answerer) throw new Error(`no fake answer for document ${String(body?.documentId)}`);
      answer = typeof answerer === 'function' ? answerer((body?.variables ?? {}) as Record<string, unknown>, call) : answerer;
    } else {
      const answerer = routes.get(`${call.method} ${url.pathname}`);
      if (!answerer) throw new Error(`no fake answer for ${call.method} ${url.pathname}`);
      answer = typeof answerer === 'function' ? answerer(body, call) : answerer;
    }
    if (answer === 'network-error') throw new TypeError('Failed to fetch');
    return response(answer);
  };

  return {
    fetch,
    calls,
    /** Answers every request of `document`. */
    on<TResult, TVariables>(document: DocumentTypeDecoration<TResult, TVariables>, answer: Answerer<Record<string, unknown>>) {
      operations.set(documentIdOf(document as DocumentTypeDecoration<unknown, never>), answer);
    },
    /** Answers `METHOD /path` (the session routes). */
    onRoute(route: string, answer: Answerer<Record<string, unknown> | undefined>) {
      routes.set(route, answer);
    },
    /** The variables of each request of `document` so far. */
    variablesOf<TResult, TVariables>(document: DocumentTypeDecoration<TResult, TVariables>): Record<string, unknown>[] {
      const id = documentIdOf(document as DocumentTypeDecoration<unknown, never>);
      return calls.filter((c) => c.path === '/graphql' && c.body?.documentId === id).map((c) => (c.body?.variables ?? {}) as Record<string, unknown>);
    },
  };
}

export type FakeBff = ReturnType<typeof createFakeBff>;
