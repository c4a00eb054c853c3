import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Thrown when an environment variable fails validation; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a zod object whose keys are environment variable
 * names. Empty strings count as unset so `FOO=` falls back to the default.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** A port number from an environment variable. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A duration in milliseconds from an environment variable. */
export const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A boolean written as true/false/1/0. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** The most processes {@link processCount} allows, `auto` included. */
export const MAX_PROCESSES = 64;

/**
 * A number of processes: a whole number from 1 to {@link MAX_PROCESSES}, or `auto` for the
 * cores this process may run on (`os.availableParallelism()`); `fallback` when unset.
 */
export const processCount = (fallback = 1) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const text = value.trim();
      if (text === 'auto') return Math.min(availableParallelism(), MAX_PROCESSES);
      const count = /^\d+$/.test(text) ? Number(text) : NaN;
      if (count >= 1 && count <= MAX_PROCESSES) return count;
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a number of processes: a whole number from 1 to ${MAX_PROCESSES}, or auto` });
      return z.NEVER;
    });

const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** A comma-separated list of service names (`gateway,bff-web`), each checked; `fallback` when unset. */
export const serviceNames = (fallback: readonly string[]) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((value, ctx) => {
      const names = value.split(',').map((s) => s.trim()).filter(Boolean);
      for (const name of names) {
        if (!SERVICE_NAME_PATTERN.test(name)) ctx.addIssue({ code: 'custom', message: `"${name}" is not a service name (lower-case letters, digits, dashes)` });
      }
      return names;
    });
