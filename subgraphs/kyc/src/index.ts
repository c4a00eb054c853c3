export * from './config';
export * from './server';
export * from './seed';
export { createKycDataSource, KYC_SCHEMA } from './data/data-source';
export { tierOf, KYC_API_PREFIX, PROVIDER_WEBHOOK_ROUTE, DOCUMENT_ROUTE, DEV_MAILBOX_ROUTE } from './http/routes';
export { KYC_EVENTS_TOPIC, TIER_CHANGED, type TierChangedPayload } from './services/tier-changes';
export { TIER_LIMITS, type Tier, type TierLimits } from './domain/tier';
export { loadOfacSdnDirectory, parseOfacSdn, type SanctionsList } from './screening';
export { SanctionsLists } from './services/sanctions';
