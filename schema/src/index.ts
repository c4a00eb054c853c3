import fs from 'node:fs';
import path from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** The clients that have their own BFF and operation set. */
export type Client = 'web' | 'mobile';

/** Folder of a client's operations (`schema/operations/<client>`). */
export function operationsDir(client: Client): string {
  return path.join(__dirname, '..', 'operations', client);
}

/** Every operation file of a client, parsed, by file name. */
export function loadOperations(client: Client): Map<string, DocumentNode> {
  const dir = operationsDir(client);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort();
  return new Map(files.map((f) => [f, parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));
}

export * from './trusted-documents';
