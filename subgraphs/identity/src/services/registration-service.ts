import type { DataSource } from 'typeorm';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import type { AccountMailer } from './account-mailer';
import type { RegistrationInput } from './account-service';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import type { EmailVerificationService } from './email-verification-service';
import { newUserRow } from './new-user';

/** What a registration answers: the same whether or not the address (or phone) already had an account. */
export interface RegistrationResult {
  /** The address as identity keeps it; a message is on its way to it. */
  email: string;
  verificationSent: true;
}

type Outcome = { kind: 'created'; user: UserRow; token: string } | { kind: 'email-taken' } | { kind: 'phone-taken' };

/**
 * Sign-up as the public API offers it, answering the same for a new address
 * and one that already has an account, so the answer never tells who is a
 * customer. Both paths validate, hash the password (the slow part) and run
 * one transaction; the message each sends goes out after the answer, so
 * neither waits for the mail service. The address itself learns what
 * happened: a verification link for a new account, a notice for an existing
 * one ("sign in or reset your password"). A phone number that belongs to
 * another account ends the registration the same way, with a message to
 * the address given.
 */
export class RegistrationService {
  constructor(
    private readonly db: DataSource,
    private readonly verification: EmailVerificationService,
    private readonly mailer: AccountMailer,
  ) {}

  /**
   * Registers a customer whose address is proved by the link sent to it.
   * Errors: BAD_USER_INPUT (email, phone, display name, weak password), before anything is stored.
   */
  async register(input: RegistrationInput, origin: RequestOrigin): Promise<RegistrationResult> {
    const row = await newUserRow(input, ['CUSTOMER']);
    const { email, displayName, phone } = row;
    const outcome = await this.db.transaction(async (manager): Promise<Outcome> => {
      // Nothing is inserted when the email or the phone is taken, and no error aborts the transaction.
      const inserted = await manager.createQueryBuilder().insert().into(UserEntity).values(row).orIgnore().returning(['id']).execute();
      if (inserted.raw.length > 0) {
        await recordAuditEvent(manager, 'REGISTERED', row.id, origin);
        return { kind: 'created', user: row, token: await this.verification.issue(manager, row, email, origin) };
      }
      const owner = await manager.getRepository(UserEntity).findOneBy({ email });
      if (owner) {
        await recordAuditEvent(manager, 'REGISTRATION_DUPLICATE', owner.id, origin, { field: 'email' });
        return { kind: 'email-taken' };
      }
      const phoneOwner = phone ? await manager.getRepository(UserEntity).findOneBy({ phone }) : null;
      await recordAuditEvent(manager, 'REGISTRATION_DUPLICATE', phoneOwner?.id ?? null, origin, { field: 'phone', email });
      return { kind: 'phone-taken' };
    });
    if (outcome.kind === 'created') this.mailer.emailVerification(email, displayName, outcome.token, 'verify');
    else if (outcome.kind === 'email-taken') this.mailer.registrationDuplicate(email);
    else this.mailer.registrationIncomplete(email);
    return { email, verificationSent: true };
  }
}
