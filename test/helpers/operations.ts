import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@meridian/schema';
import { parse, type DocumentNode } from 'graphql';

/** Every operation file of a client (`schema/operations/<client>`), parsed, by file name. */
export function loadOperations(client: Client): Map<string, DocumentNode> {
  const dir = path.resolve(__dirname, '../../schema/operations', client);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort();
  return new Map(files.map((f) => [f, parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));
}
