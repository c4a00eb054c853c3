export * from './config';
export * from './server';
export * from './seed';
export { createIdentityDataSource, IDENTITY_SCHEMA } from './data/data-source';
export { createAuditSealer, sealAuditEvents, IDENTITY_AUDIT_LOG, type SealAuditOptions } from './services/audit-chain';
export * from './services/audit-verifier';
export * from './domain/permissions';
export { StaffService, type NewStaff } from './services/staff-service';
