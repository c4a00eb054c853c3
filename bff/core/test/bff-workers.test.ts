import { bffConfigSchema, bffWorkers } from '@meridian/bff-core';
import { ConfigError, loadConfig } from '@meridian/platform';

const config = (env: Record<string, string>) => loadConfig(bffConfigSchema, env);

describe('BFF_WORKERS', () => {
  it('is one process unless set', () => {
    expect(config({}).BFF_WORKERS).toBe(1);
    expect(bffWorkers(config({}))).toBe(1);
  });

  it('runs as many workers as set when the shared state is in Redis', () => {
    expect(bffWorkers(config({ BFF_WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe(2);
    expect(bffWorkers(config({ BFF_WORKERS: 'auto', REDIS_URL: 'redis://127.0.0.1:6379' }))).toBeGreaterThanOrEqual(1);
  });

  it('refuses more than one worker without REDIS_URL, saying why and what to set', () => {
    let error: unknown;
    try {
      bffWorkers(config({ BFF_WORKERS: '2' }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toHaveLength(1);
    expect((error as ConfigError).message).toMatch(/BFF_WORKERS: 2 workers need REDIS_URL/);
    expect((error as ConfigError).message).toMatch(/sessions, rate limits/);
  });

  it('refuses a value that is not a number of processes', () => {
    expect(() => config({ BFF_WORKERS: '0' })).toThrow(/BFF_WORKERS/);
    expect(() => config({ BFF_WORKERS: 'many' })).toThrow(/BFF_WORKERS/);
  });
});
