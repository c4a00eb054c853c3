import { createHash } from 'node:crypto';
import { Kind, parse, type OperationTypeNode } from 'graphql';

/** A trusted document's id on the wire: `sha256:` and the 64 hex digits of the sha256 of its text (GraphQL over HTTP). */
const DOCUMENT_ID = /^sha256:([0-9a-fA-F]{64})$/;

/** One document of a trusted-documents manifest, checked and parsed once at start. */
export interface TrustedDocument {
  /** `sha256:<hex>` of `text`. */
  id: string;
  /** The text the BFF executes, exactly as in the manifest. */
  text: string;
  /** Name of its one operation, or null when anonymous. */
  operationName: string | null;
  /** `query`, `mutation` or `subscription`. */
  operationType: OperationTypeNode;
}

/** The documents a BFF will run by id. */
export interface TrustedDocumentStore {
  /** The document with this id (`sha256:<hex>`, any case of hex), if the manifest has it. */
  get(id: string): TrustedDocument | undefined;
  /** The document whose text is exactly `text`, if the manifest has it (how metrics name a request's operation). */
  byText(text: string): TrustedDocument | undefined;
  readonly size: number;
}

/** The normalised id (`sha256:` and lowercase hex) when `value` is a well-formed document id, else null. */
export function parseDocumentId(value: unknown): string | null {
  const match = typeof value === 'string' ? DOCUMENT_ID.exec(value) : null;
  return match ? `sha256:${match[1].toLowerCase()}` : null;
}

/** The wire id of a document text: `sha256:` and the hex sha256 of its UTF-8 bytes. */
export function documentIdOf(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/**
 * Builds the store from a manifest of hex sha256 → document text (as codegen's
 * client preset writes it; keys may also carry the `sha256:` prefix). Each
 * hash is recomputed and each document parsed here, so a stale or edited
 * manifest stops the server at start rather than failing a request; each
 * document must hold exactly one operation, so its type is known without
 * parsing at request time.
 */
export function createTrustedDocumentStore(manifest: Record<string, string>): TrustedDocumentStore {
  const documents = new Map<string, TrustedDocument>();
  const byText = new Map<string, TrustedDocument>();
  for (const [key, text] of Object.entries(manifest)) {
    const id = parseDocumentId(key.startsWith('sha256:') ? key : `sha256:${key}`);
    if (!id) throw new Error(`trusted documents: "${key}" is not a sha256 document id`);
    if (documentIdOf(text) !== id) throw new Error(`trusted documents: the text under ${id} does not hash to it (stale manifest? run npm run codegen)`);
    const operations = parse(text).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1) throw new Error(`trusted documents: ${id} holds ${operations.length} operations; each document must hold exactly one`);
    const [operation] = operations;
    const document: TrustedDocument = { id, text, operationName: operation.name?.value ?? null, operationType: operation.operation };
    documents.set(id, document);
    byText.set(text, document);
  }
  return {
    get: (id) => {
      const normalised = parseDocumentId(id);
      return normalised ? documents.get(normalised) : undefined;
    },
    byText: (text) => byText.get(text),
    size: documents.size,
  };
}
