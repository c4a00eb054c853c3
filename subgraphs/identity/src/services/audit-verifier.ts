import { verifyAuditLog, type AuditChainReport, type VerifyAuditChainOptions } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { IDENTITY_AUDIT_LOG } from './audit-chain';

export type { AuditChainAnchor, AuditChainBreak, AuditChainBreakKind, AuditChainReport, VerifyAuditChainOptions } from '@meridian/platform';

/**
 * Walks identity's audit chain in seq order in one read-only snapshot,
 * recomputing every hash; checks the anchors and how long unsealed entries
 * have waited. Reports the first break; throws only for database errors.
 */
export function verifyAuditChain(db: DataSource, options: VerifyAuditChainOptions = {}): Promise<AuditChainReport> {
  return verifyAuditLog(db, IDENTITY_AUDIT_LOG, options);
}
