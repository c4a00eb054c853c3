import { createHash } from 'node:crypto';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { createTrustedDocumentStore } from '@meridian/bff-core';
import * as mobileDocuments from '@meridian/client/mobile';
import * as webDocuments from '@meridian/client/web';
import { loadTrustedDocumentsManifest, type Client } from '@meridian/schema';
import { loadOperations } from '../helpers/operations';
import { loadSupergraphSdl } from '@meridian/supergraph';
import { Kind, parse, validate, visit, type GraphQLSchema } from 'graphql';

// The trusted-documents manifests that `npm run codegen` writes next to each
// client's typed documents: the mobile BFF runs nothing else in production.

let api: GraphQLSchema;
beforeAll(() => {
  api = Supergraph.build(loadSupergraphSdl(), { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
});

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Names of the operations a client's .graphql files define. */
function operationNames(client: Client): string[] {
  return [...loadOperations(client).values()]
    .flatMap((document) => document.definitions)
    .flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name!.value] : []))
    .sort();
}

/** The generated `…Document` exports of a client module. */
function generatedDocuments(module: Record<string, unknown>): [string, { __meta__?: { hash?: string } }][] {
  return Object.entries(module).filter(([name]) => name.endsWith('Document')) as [string, { __meta__?: { hash?: string } }][];
}

describe.each(['web', 'mobile'] as Client[])('%s trusted-documents manifest', (client) => {
  it('keys each document by the sha256 of its exact text', () => {
    const manifest = loadTrustedDocumentsManifest(client);
    expect(Object.keys(manifest).length).toBeGreaterThan(0);
    for (const [id, text] of Object.entries(manifest)) {
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      expect(sha256(text)).toBe(id);
    }
    // The BFF's own loader checks the same at start.
    expect(createTrustedDocumentStore(manifest).size).toBe(Object.keys(manifest).length);
  });

  it("holds one document per operation in schema/operations, each valid against the API schema", () => {
    const manifest = loadTrustedDocumentsManifest(client);
    const names: string[] = [];
    for (const text of Object.values(manifest)) {
      const document = parse(text);
      expect({ text, errors: validate(api, document).map((e) => e.message) }).toEqual({ text, errors: [] });
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations).toHaveLength(1);
      names.push(operations[0].name!.value);
    }
    expect(names.sort()).toEqual(operationNames(client));
  });

  it('asks for no introspection', () => {
    for (const text of Object.values(loadTrustedDocumentsManifest(client))) {
      visit(parse(text), {
        Field(field) {
          expect(field.name.value.startsWith('__') && field.name.value !== '__typename' ? text : null).toBeNull();
        },
      });
    }
  });
});

describe('generated documents', () => {
  it('mobile: each operation is only its manifest hash, with no query text to ship in the app', () => {
    const manifest = loadTrustedDocumentsManifest('mobile');
    const documents = generatedDocuments(mobileDocuments);
    expect(documents.map(([name]) => name.replace(/Document$/, '')).sort()).toEqual(operationNames('mobile'));
    for (const [name, document] of documents) {
      expect({ name, document }).toEqual({ name, document: { __meta__: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
      expect(manifest[document.__meta__!.hash!]).toBeDefined();
    }
  });

  it('web: each operation carries its text and the hash of its manifest entry', () => {
    const manifest = loadTrustedDocumentsManifest('web');
    const documents = generatedDocuments(webDocuments);
    expect(documents.map(([name]) => name.replace(/Document$/, '')).sort()).toEqual(operationNames('web'));
    for (const [name, document] of documents) {
      const operationName = name.replace(/Document$/, '');
      const text = String(document);
      expect(text).toContain(` ${operationName}`);
      const manifestText = manifest[document.__meta__!.hash!];
      expect(manifestText).toBeDefined();
      // Same operation, printed differently: the manifest holds the normalised print.
      expect(parse(manifestText).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operationName)).toBe(true);
    }
  });
});
