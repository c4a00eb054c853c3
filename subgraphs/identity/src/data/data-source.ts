import { createDataSource } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { AuditEventEntity } from './entities/audit-event.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';
import { UserEntity } from './entities/user.entity';
import { CreateIdentity1763900000000 } from './migrations/1763900000000-create-identity';
import { SignInAttempts1765000000000 } from './migrations/1765000000000-sign-in-attempts';

/** The PostgreSQL schema identity owns. */
export const IDENTITY_SCHEMA = 'identity';

/** Identity's DataSource, confined to the `identity` schema. */
export function createIdentityDataSource(url: string, poolSize?: number): DataSource {
  return createDataSource({
    url,
    schema: IDENTITY_SCHEMA,
    entities: [UserEntity, SessionEntity, RefreshTokenEntity, AuditEventEntity],
    migrations: [CreateIdentity1763900000000, SignInAttempts1765000000000],
    poolSize,
  });
}
