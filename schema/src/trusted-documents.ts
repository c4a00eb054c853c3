import fs from 'node:fs';
import path from 'node:path';
import type { Client } from './index';

/** Folder of a client's generated documents (`schema/client/src/__generated__/<client>`). */
export function generatedDir(client: Client): string {
  return path.join(__dirname, '..', 'client', 'src', '__generated__', client);
}

/** Path of a client's trusted-documents manifest, as `npm run codegen` writes it. */
export function trustedDocumentsManifestPath(client: Client): string {
  return path.join(generatedDir(client), 'persisted-documents.json');
}

/**
 * A client's trusted-documents manifest: the hex sha256 of each document's text
 * → that text, exactly as the BFF will execute it. Ids on the wire are
 * `sha256:<hex>`.
 */
export function loadTrustedDocumentsManifest(client: Client): Record<string, string> {
  return JSON.parse(fs.readFileSync(trustedDocumentsManifestPath(client), 'utf8')) as Record<string, string>;
}
