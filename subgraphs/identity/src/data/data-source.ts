import { createDataSource } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { AuditEventEntity } from './entities/audit-event.entity';
import { EmailVerificationEntity } from './entities/email-verification.entity';
import { PasswordResetEntity } from './entities/password-reset.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';
import { UserEntity } from './entities/user.entity';
import { CreateIdentity1763900000000 } from './migrations/1763900000000-create-identity';
import { SignInAttempts1765000000000 } from './migrations/1765000000000-sign-in-attempts';
import { AccountRecovery1766000000000 } from './migrations/1766000000000-account-recovery';
import { Mfa1766100000000 } from './migrations/1766100000000-mfa';
import { SigningKeys1766200000000 } from './migrations/1766200000000-signing-keys';
import { AuditHashChain1766300000000 } from './migrations/1766300000000-audit-hash-chain';
import { StaffRoles1766400000000 } from './migrations/1766400000000-staff-roles';
import { ApiKeys1766500000000 } from './migrations/1766500000000-api-keys';

/** The PostgreSQL schema identity owns. */
export const IDENTITY_SCHEMA = 'identity';

/** Identity's DataSource, confined to the `identity` schema. */
export function createIdentityDataSource(url: string, poolSize?: number): DataSource {
  return createDataSource({
    url,
    schema: IDENTITY_SCHEMA,
    entities: [UserEntity, SessionEntity, RefreshTokenEntity, AuditEventEntity, EmailVerificationEntity, PasswordResetEntity, ApiKeyEntity],
    migrations: [CreateIdentity1763900000000, SignInAttempts1765000000000, AccountRecovery1766000000000, Mfa1766100000000, SigningKeys1766200000000, AuditHashChain1766300000000, StaffRoles1766400000000, ApiKeys1766500000000],
    poolSize,
  });
}
