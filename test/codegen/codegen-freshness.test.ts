import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { parse as parseYaml } from 'yaml';

const root = path.resolve(__dirname, '../..');

describe('generated code', () => {
  it('matches a fresh `npm run codegen` (run it and commit the result when this fails)', async () => {
    const config = parseYaml(fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8'));
    const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: root, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const file = path.resolve(root, output.filename);
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.readFileSync(file, 'utf8')).toBe(output.content);
    }

    // Folder outputs (the client documents and manifests) hold nothing codegen no longer writes,
    // e.g. the documents of an operation that was removed.
    const written = new Set(outputs.map((output) => path.resolve(root, output.filename)));
    for (const target of Object.keys(config.generates).filter((t) => t.endsWith('/'))) {
      const dir = path.resolve(root, target);
      const stray = fs.readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
        .filter((file) => !written.has(file));
      expect({ dir: target, stray }).toEqual({ dir: target, stray: [] });
    }
  }, 60_000);

  it('writes the client documents and both trusted-documents manifests', async () => {
    const config = parseYaml(fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8'));
    for (const client of ['web', 'mobile']) {
      const target = `schema/client/src/__generated__/${client}/`;
      expect(config.generates[target]).toMatchObject({
        preset: 'client',
        presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' } },
        documents: `schema/operations/${client}/*.graphql`,
      });
    }
    expect(config.generates['schema/client/src/__generated__/mobile/'].presetConfig.persistedDocuments.mode).toBe('replaceDocumentWithHash');
  });
});
