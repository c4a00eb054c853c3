// @meridian/insights: the money-insights subgraph (port 4205, schema `insights`).
export { insightsConfigSchema, loadInsightsConfig, type InsightsConfig } from './config';
export { createInsightsServer, EXPORT_ROUTE, INSIGHTS_GROUP, insightsTypeDefs, type InsightsServer, type InsightsServerDeps } from './server';
export { createInsightsDataSource, INSIGHTS_SCHEMA } from './data/data-source';
export { LEDGER_STREAM, changeOfEvent, changesOfHistory, type LedgerChange } from './services/ledger-projection';
export { PAYMENTS_STREAM } from './services/payments-projection';
export { rebuildReadModel, type RebuildReport } from './services/rebuild';
export { seedDemoInsights } from './seed';
