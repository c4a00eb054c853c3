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
  }, 60_000);
});
