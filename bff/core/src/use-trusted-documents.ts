import { addRouteHook, errorBody, ErrorCode, httpStatusFor } from '@meridian/platform';
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler, RouteOptions } from 'fastify';
import type { TrustedDocument, TrustedDocumentStore } from './trusted-documents';
import { parseDocumentId } from './trusted-documents';

/**
 * `required`: only manifest documents run, free-text `query` is refused;
 * `optional`: a `documentId` runs its manifest document and free text is
 * allowed too (development and tests: the playground, ad-hoc queries).
 */
export type TrustedDocumentsMode = 'required' | 'optional';

/** A `<CLIENT>_TRUSTED_DOCUMENTS` setting: `required`, `optional`, or unset for the environment's default. */
export const trustedDocumentsSetting = () => z.enum(['required', 'optional']).optional();

/** The mode a BFF runs: the setting when given, else `required` exactly in production. */
export function trustedDocumentsModeFor(setting: TrustedDocumentsMode | undefined, nodeEnv: string): TrustedDocumentsMode {
  return setting ?? (nodeEnv === 'production' ? 'required' : 'optional');
}

/** Options for {@link useTrustedDocuments}. */
export interface TrustedDocumentsOptions {
  /** The documents that may run by id. */
  store: TrustedDocumentStore;
  mode: TrustedDocumentsMode;
  /** Largest request body of the GraphQL route, in bytes; the server's error handler answers larger ones with `REQUEST_TOO_LARGE` (413). Default 32 KiB. */
  maxBodyBytes?: number;
  /** The GraphQL route; default `/graphql`. */
  path?: string;
}

/** A refusal written before GraphQL sees the request. */
class RequestRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = httpStatusFor[code],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const ORIGINAL_URL = Symbol('trustedDocuments.originalUrl');
type RewrittenRequest = FastifyRequest & { [ORIGINAL_URL]?: string };

/** GraphQL over HTTP: answer in the media type the client asked for. */
function sendRefusal(request: FastifyRequest, reply: FastifyReply, refusal: RequestRefusal): FastifyReply {
  const accept = request.headers.accept ?? '';
  const type = accept.includes('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';
  if (refusal.status === 405) reply.header('allow', 'POST');
  return reply
    .code(refusal.status)
    .type(`${type}; charset=utf-8`)
    .send(JSON.stringify(errorBody(refusal.code, refusal.message, refusal.extensions)));
}

function lookUp(store: TrustedDocumentStore, rawId: unknown): TrustedDocument {
  const id = parseDocumentId(rawId);
  if (!id) {
    throw new RequestRefusal(ErrorCode.BAD_USER_INPUT, 'documentId must be "sha256:" followed by the 64 hex digits of the document\'s sha256.');
  }
  const document = store.get(id);
  if (!document) throw new RequestRefusal(ErrorCode.PERSISTED_QUERY_NOT_FOUND, 'No trusted document has this documentId.');
  return document;
}

/** A `query` sent with a `documentId` must be that document's text (a client may send both). */
function assertSameText(query: unknown, document: TrustedDocument): void {
  if (query !== undefined && query !== document.text) {
    throw new RequestRefusal(ErrorCode.BAD_USER_INPUT, 'Send documentId or query, not both: the query differs from the trusted document.');
  }
}

function freeTextRefusal(): RequestRefusal {
  return new RequestRefusal(
    ErrorCode.PERSISTED_QUERY_ID_REQUIRED,
    'This API runs trusted documents only: send {"documentId": "sha256:…"} from the app\'s manifest instead of a query.',
  );
}

/**
 * Resolves the request's `documentId` (POST body, or GET query string) to its
 * manifest text and hands Apollo an ordinary `query`; refuses unknown or
 * malformed ids, a `query` that differs from the document, mutations over
 * GET, and — in `required` mode — anything without a `documentId`. All of it
 * happens before GraphQL parses or plans anything, so a refused request costs
 * a map lookup.
 */
function resolveDocument(store: TrustedDocumentStore, mode: TrustedDocumentsMode, request: FastifyRequest): void {
  if (request.method === 'POST') {
    const body = request.body;
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    if (!isObject || !('documentId' in body)) {
      if (mode === 'required') throw freeTextRefusal();
      return;
    }
    const { documentId, ...rest } = body as Record<string, unknown>;
    const document = lookUp(store, documentId);
    assertSameText(rest.query, document);
    request.body = { ...rest, query: document.text };
    return;
  }
  if (request.method === 'GET') {
    const url = new URL(request.url, 'http://bff.invalid');
    const params = url.searchParams;
    const ids = params.getAll('documentId');
    if (ids.length === 0) {
      if (mode === 'required') throw freeTextRefusal();
      return;
    }
    if (ids.length > 1) throw new RequestRefusal(ErrorCode.BAD_USER_INPUT, 'Send one documentId.');
    const document = lookUp(store, ids[0]);
    if (document.operationType !== 'query') {
      throw new RequestRefusal(ErrorCode.BAD_USER_INPUT, `GET runs queries only; send this ${document.operationType} with POST.`, 405);
    }
    assertSameText(params.get('query') ?? undefined, document);
    params.delete('documentId');
    params.set('query', document.text);
    // Apollo reads a GET request from its URL, so the URL is rewritten for the
    // handler and put back in onSend, so logs show what the client sent.
    (request as RewrittenRequest)[ORIGINAL_URL] = request.raw.url;
    request.raw.url = `${url.pathname}?${params.toString()}`;
    return;
  }
  if (mode === 'required') throw freeTextRefusal();
}

/**
 * Trusted documents on a BFF's GraphQL route: `{"documentId": "sha256:…"}`
 * runs the manifest document with that id (GraphQL over HTTP persisted
 * documents); see {@link resolveDocument} for what is refused. Also caps the
 * route's body size, since a document id and its variables need far less
 * than free text. Call before the route is mounted (in `createBffServer`'s
 * `routes`).
 */
export function useTrustedDocuments(app: FastifyInstance, options: TrustedDocumentsOptions): void {
  const path = options.path ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024;

  const preValidation: preValidationHookHandler = async (request, reply) => {
    try {
      resolveDocument(options.store, options.mode, request);
    } catch (err) {
      if (err instanceof RequestRefusal) return sendRefusal(request, reply, err);
      throw err;
    }
  };
  const restoreUrl = async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    const original = (request as RewrittenRequest)[ORIGINAL_URL];
    if (original !== undefined) request.raw.url = original;
    return payload;
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url !== path) return;
    route.bodyLimit = maxBodyBytes;
    addRouteHook(route, 'preValidation', preValidation);
    addRouteHook(route, 'onSend', restoreUrl);
  });
}
