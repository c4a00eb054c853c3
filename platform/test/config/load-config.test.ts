import { execFileSync } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, flag, loadBaseConfig, loadConfig, MAX_PROCESSES, millis, port, processCount, repoRoot } from '@meridian/platform';

function configErrorFrom(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

describe('loadConfig', () => {
  const schema = z.object({ PORT: port(4000), TIMEOUT_MS: millis(1_000), FEATURE_ON: flag(false), NAME: z.string().default('svc') });

  it('reads, coerces and defaults the variables of the schema', () => {
    expect(loadConfig(schema, { PORT: '4100', FEATURE_ON: '1' })).toEqual({ PORT: 4100, TIMEOUT_MS: 1_000, FEATURE_ON: true, NAME: 'svc' });
    expect(loadConfig(schema, {})).toEqual({ PORT: 4000, TIMEOUT_MS: 1_000, FEATURE_ON: false, NAME: 'svc' });
  });

  it('names the variable whose value is bad', () => {
    const error = configErrorFrom(() => loadConfig(schema, { PORT: 'eighty' }));
    expect(error.message).toContain('PORT');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(/^PORT: /);
  });

  it('names every bad variable at once', () => {
    const error = configErrorFrom(() => loadConfig(schema, { PORT: '70000', TIMEOUT_MS: '-5', FEATURE_ON: 'yes' }));
    expect(error.issues.map((issue) => issue.split(':')[0]).sort()).toEqual(['FEATURE_ON', 'PORT', 'TIMEOUT_MS']);
    for (const name of ['PORT', 'TIMEOUT_MS', 'FEATURE_ON']) expect(error.message).toContain(name);
  });

  it('treats an empty string as unset, so the default applies', () => {
    expect(loadConfig(schema, { PORT: '', TIMEOUT_MS: '', FEATURE_ON: '', NAME: '' })).toEqual(loadConfig(schema, {}));
  });

  it('reports a required variable that is empty as missing, by name', () => {
    const required = z.object({ SECRET: z.string().min(1) });
    expect(configErrorFrom(() => loadConfig(required, { SECRET: '' })).message).toContain('SECRET');
  });

  it('ignores variables the schema does not name', () => {
    expect(loadConfig(schema, { UNRELATED: 'x', PATH: '/bin' })).not.toHaveProperty('UNRELATED');
  });

  it('reads flags written as true/false/1/0 only', () => {
    expect(loadConfig(schema, { FEATURE_ON: 'true' }).FEATURE_ON).toBe(true);
    expect(loadConfig(schema, { FEATURE_ON: '0' }).FEATURE_ON).toBe(false);
    expect(configErrorFrom(() => loadConfig(schema, { FEATURE_ON: 'on' })).message).toContain('FEATURE_ON');
  });
});

describe('processCount', () => {
  const schema = z.object({ WORKERS: processCount(1) });
  const workers = (value?: string) => loadConfig(schema, value === undefined ? {} : { WORKERS: value }).WORKERS;

  it('is the fallback when unset or empty, else the whole number given', () => {
    expect(workers()).toBe(1);
    expect(workers('')).toBe(1);
    expect(loadConfig(z.object({ WORKERS: processCount(3) }), {}).WORKERS).toBe(3);
    expect(workers('2')).toBe(2);
    expect(workers(' 4 ')).toBe(4);
    expect(workers(String(MAX_PROCESSES))).toBe(MAX_PROCESSES);
  });

  it('reads auto as the cores this process may run on', () => {
    expect(workers('auto')).toBe(Math.min(os.availableParallelism(), MAX_PROCESSES));
    expect(workers('auto')).toBeGreaterThanOrEqual(1);
  });

  it.each(['0', '-1', '1.5', '2e1', 'two', 'AUTO', 'max', String(MAX_PROCESSES + 1)])('refuses %s and names the variable', (value) => {
    const error = configErrorFrom(() => workers(value));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(/^WORKERS: .*a whole number from 1 to \d+, or auto/);
  });
});

describe('baseConfigSchema', () => {
  it('defaults to the embedded mode', () => {
    expect(loadBaseConfig({})).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      REDIS_COMMAND_TIMEOUT_MS: 500,
      REDIS_KEY_PREFIX: 'meridian:',
      DATA_DIR: path.join(repoRoot, '.data'),
      HOST: '127.0.0.1',
      ACCESS_TOKEN_ISSUER: 'https://identity.meridian.local',
      ACCESS_TOKEN_AUDIENCE: 'meridian-api',
      IDENTITY_JWKS_URL: 'http://127.0.0.1:4201/.well-known/jwks.json',
    });
    expect(loadBaseConfig({ REDIS_KEY_PREFIX: 'staging:' }).REDIS_KEY_PREFIX).toBe('staging:');
    // A stream's key adds a hash tag of its own: braces in the prefix would replace it.
    expect(() => loadBaseConfig({ REDIS_KEY_PREFIX: '{meridian}:' })).toThrow(/REDIS_KEY_PREFIX/);
    const config = loadBaseConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('puts DATA_DIR at the repository root, whatever the working directory', () => {
    expect(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).name).toBe('meridian');
    // Another process, started from elsewhere, loads the configuration with no DATA_DIR set.
    for (const cwd of [os.tmpdir(), path.join(repoRoot, 'subgraphs', 'banking')]) {
      const { DATA_DIR: _unset, ...env } = process.env;
      const printed = execFileSync(
        process.execPath,
        // tsx by absolute path: from /tmp it could not be found by name.
        ['--import', pathToFileURL(require.resolve('tsx')).href, '-e', `console.log(require(${JSON.stringify(path.join(repoRoot, 'platform/src/config'))}).loadBaseConfig().DATA_DIR)`],
        { cwd, env: { ...env, NODE_OPTIONS: '' }, encoding: 'utf8' },
      );
      expect({ cwd, dataDir: printed.trim().split('\n').pop() }).toEqual({ cwd, dataDir: path.join(repoRoot, '.data') });
    }
  });

  it('accepts real service URLs', () => {
    const config = loadConfig(baseConfigSchema, {
      DATABASE_URL: 'postgresql://app@db:5432/meridian',
      REDIS_URL: 'rediss://cache:6380',
      REDIS_COMMAND_TIMEOUT_MS: '250',
    });
    expect(config).toMatchObject({ DATABASE_URL: 'postgresql://app@db:5432/meridian', REDIS_URL: 'rediss://cache:6380', REDIS_COMMAND_TIMEOUT_MS: 250 });
  });

  it.each([
    ['DATABASE_URL', 'mysql://db/meridian'],
    ['REDIS_URL', 'http://cache:6379'],
    ['REDIS_COMMAND_TIMEOUT_MS', '0'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
    ['IDENTITY_JWKS_URL', 'not a url'],
  ])('refuses %s=%s and names it', (name, value) => {
    const error = configErrorFrom(() => loadBaseConfig({ [name]: value }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].startsWith(`${name}:`)).toBe(true);
  });

  it('does not read process.env when given an env', () => {
    // setup-env.ts sets DATA_DIR for every test file; an explicit env must win over it.
    expect(process.env.DATA_DIR).toBeDefined();
    expect(loadBaseConfig({}).DATA_DIR).not.toBe(process.env.DATA_DIR);
    expect(loadBaseConfig().DATA_DIR).toBe(process.env.DATA_DIR);
  });
});
