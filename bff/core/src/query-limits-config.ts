import { z } from 'zod';

/** Every limit a BFF applies before executing an operation. */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens per document: bounds parsing work itself. */
  maxTokens: number;
  maxRootFields: number;
  /** Highest static cost of one operation. */
  maxCost: number;
  /** Size assumed for a list with no slicing argument and no `@listSize`. */
  defaultListSize: number;
}

type LimitKey = 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_DIRECTIVES' | 'MAX_TOKENS' | 'MAX_ROOT_FIELDS' | 'MAX_COST' | 'DEFAULT_LIST_SIZE';
const keys: Record<LimitKey, keyof QueryLimits> = {
  MAX_DEPTH: 'maxDepth',
  MAX_ALIASES: 'maxAliases',
  MAX_DIRECTIVES: 'maxDirectives',
  MAX_TOKENS: 'maxTokens',
  MAX_ROOT_FIELDS: 'maxRootFields',
  MAX_COST: 'maxCost',
  DEFAULT_LIST_SIZE: 'defaultListSize',
};

/**
 * Environment settings for one client's limits, prefixed so both BFFs can run
 * in one process: `WEB_MAX_DEPTH`, `MOBILE_MAX_COST`, … each defaulting to `defaults`.
 */
export function queryLimitSettings<P extends string>(prefix: P, defaults: QueryLimits) {
  const shape: Record<string, z.ZodDefault<z.ZodCoercedNumber<unknown>>> = {};
  for (const [suffix, name] of Object.entries(keys)) {
    shape[`${prefix}_${suffix}`] = z.coerce.number().int().min(1).max(1_000_000).default(defaults[name]);
  }
  return shape as { [K in `${P}_${LimitKey}`]: z.ZodDefault<z.ZodCoercedNumber<unknown>> };
}

/** Reads one client's limits back out of its loaded configuration. */
export function queryLimitsFrom<P extends string>(prefix: P, config: { [K in `${P}_${LimitKey}`]: number }): QueryLimits {
  const limits = {} as QueryLimits;
  for (const [suffix, name] of Object.entries(keys)) {
    limits[name] = config[`${prefix}_${suffix}` as `${P}_${LimitKey}`];
  }
  return limits;
}
