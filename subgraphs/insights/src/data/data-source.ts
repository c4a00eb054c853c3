import { createDataSource } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { CreateInsights1768000000000 } from './migrations/1768000000000-create-insights';

/** The PostgreSQL schema insights owns. */
export const INSIGHTS_SCHEMA = 'insights';

/** Insights' DataSource, confined to the `insights` schema. It uses SQL directly, so it has no entities. */
export function createInsightsDataSource(url: string, poolSize?: number): DataSource {
  return createDataSource({
    url,
    schema: INSIGHTS_SCHEMA,
    entities: [],
    migrations: [CreateInsights1768000000000],
    poolSize,
    lockTimeoutMs: 5_000,
  });
}
