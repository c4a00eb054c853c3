import { isUuid, type AccessTokenClaims } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { UserEntity } from '../data/entities/user.entity';
import { normaliseEmail } from '../domain/email';
import type { UserRecord } from '../domain/user';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { toUserRecord } from './user-mapper';
import { staffReason } from './staff-guards';

/** How staff looked for a customer. */
export type CustomerLookup = { id: string } | { email: string };

/**
 * Staff reads of a customer: the audited entry point. Each lookup writes a
 * STAFF_READ entry (staff id, customer id, reason, the fields asked of
 * identity, the request id) in the transaction that reads the customer,
 * before anything is answered; a lookup that finds nobody is recorded too.
 * Other subgraphs serve what they add to the user (accounts, payees…) to a
 * staff token only through the user this returns, and record their own reads
 * under the same request id.
 */
export class StaffReads {
  constructor(private readonly db: DataSource) {}

  /** The customer, or null. Errors: BAD_USER_INPUT (`reason`; an email that is not one). */
  async lookUp(staff: AccessTokenClaims, lookup: CustomerLookup, reasonInput: string, fields: string[], origin: RequestOrigin): Promise<UserRecord | null> {
    const reason = staffReason(reasonInput);
    const email = 'email' in lookup ? normaliseEmail(lookup.email) : undefined;
    return this.db.transaction(async (manager) => {
      const users = manager.getRepository(UserEntity);
      // An id that is not a UUID names nobody (and would only make PostgreSQL refuse the cast).
      const row = email !== undefined ? await users.findOneBy({ email }) : 'id' in lookup && isUuid(lookup.id) ? await users.findOneBy({ id: lookup.id }) : null;
      await recordAuditEvent(manager, 'STAFF_READ', row?.id ?? null, origin, {
        actorId: staff.userId,
        reason,
        lookup: email !== undefined ? { email } : { id: 'id' in lookup ? lookup.id.slice(0, 64) : null },
        found: row !== null,
        fields,
      });
      return row ? toUserRecord(row) : null;
    });
  }
}
