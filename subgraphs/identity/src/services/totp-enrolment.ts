import { errors, uuidv7, type Role } from '@meridian/platform';
import QRCode from 'qrcode';
import type { DataSource, EntityManager } from 'typeorm';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import type { MfaMethod } from '../domain/mfa';
import { generateRecoveryCodes } from '../domain/recovery-code';
import { checkTotp, newTotpSecret, totpUri } from '../domain/totp';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import type { SecondFactors } from './second-factors';

/** What `enrolTotp` answers: the secret three ways, for typing, for a link and for a camera. */
export interface TotpEnrolment {
  /** Base32, as authenticator apps take it typed in. */
  secret: string;
  /** `otpauth://totp/Meridian:<email>?secret=…&issuer=Meridian…` */
  uri: string;
  /** The URI as a QR code: a PNG data URL. */
  qrCode: string;
}

/** A user's second factors as they may see them (`User.mfa`). */
export interface MfaStatus {
  totpEnabled: boolean;
  totpEnabledAt: Date | null;
  recoveryCodesLeft: number;
  methods: MfaMethod[];
  /** Whether every sign-in asks for a second factor. */
  required: boolean;
}

/**
 * Setting up an authenticator app (TOTP) and its recovery codes. Nothing is
 * active until the first code from the app is confirmed; the ten recovery
 * codes are shown once, at confirmation (or regeneration), and kept hashed.
 */
export class TotpEnrolments {
  constructor(
    private readonly db: DataSource,
    private readonly factors: SecondFactors,
    /** Roles whose every sign-in needs a second factor, authenticator or not. */
    private readonly requiredRoles: readonly Role[],
  ) {}

  /** Whether `user` must give a second factor at every sign-in: an authenticator is set up, or a role asks for it. */
  async signInNeedsSecondFactor(q: EntityManager | DataSource, user: Pick<UserRow, 'id' | 'roles'>): Promise<boolean> {
    if (user.roles.some((role) => this.requiredRoles.includes(role))) return true;
    return (await this.factors.totp(q, user.id))?.status === 'ACTIVE';
  }

  /**
   * Starts setting up an authenticator app: a new secret, kept sealed and
   * pending until {@link confirm}; asking again replaces a pending one.
   * Errors: CONFLICT (an authenticator is already active: disable it first).
   */
  async enrol(userId: string, origin: RequestOrigin): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    const user = await this.db.transaction(async (m) => {
      const found = await this.activeUser(m, userId);
      const current = await this.factors.totp(m, userId, { forUpdate: true });
      if (current?.status === 'ACTIVE') {
        throw errors.conflict('An authenticator app is already set up. Disable it first to set up another.', { reason: 'MFA_ALREADY_ENABLED' });
      }
      await m.query(
        `INSERT INTO identity.totp_factors (user_id, secret_sealed, status, created_at) VALUES ($1, $2, 'PENDING', $3)
         ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = EXCLUDED.created_at, last_counter = NULL`,
        [userId, this.factors.sealSecret(userId, secret), new Date()],
      );
      await recordAuditEvent(m, 'MFA_ENROLMENT_STARTED', userId, origin, { method: 'TOTP' });
      return found;
    });
    const uri = totpUri(secret, user.email);
    return { secret, uri, qrCode: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 256 }) };
  }

  /**
   * Activates the pending authenticator with a first code from it, and issues
   * the recovery codes (shown this once). That code's time step counts as used.
   * Errors: CONFLICT (`reason` MFA_ALREADY_ENABLED, MFA_NOT_ENROLLING), INVALID_CODE.
   */
  async confirm(userId: string, code: string, origin: RequestOrigin): Promise<string[]> {
    const outcome = await this.db.transaction(async (m) => {
      await this.activeUser(m, userId);
      const pending = await this.factors.totp(m, userId, { forUpdate: true });
      if (pending?.status === 'ACTIVE') throw errors.conflict('The authenticator app is already confirmed.', { reason: 'MFA_ALREADY_ENABLED' });
      if (!pending) throw errors.conflict('Start with enrolTotp, then confirm with a code from the app.', { reason: 'MFA_NOT_ENROLLING' });
      const checked = checkTotp(this.factors.openSecret(userId, pending.secretSealed), code.replace(/\s+/g, ''), null);
      if (!checked.ok) return { ok: false as const };
      const now = new Date();
      await m.query(`UPDATE identity.totp_factors SET status = 'ACTIVE', confirmed_at = $2, last_counter = $3 WHERE user_id = $1`, [userId, now, checked.counter]);
      const codes = await this.replaceRecoveryCodes(m, userId, now);
      await recordAuditEvent(m, 'MFA_ENROLLED', userId, origin, { method: 'TOTP', recoveryCodes: codes.length });
      return { ok: true as const, codes };
    });
    if (!outcome.ok) {
      throw errors.invalidCode('The code is not right. Check the app shows Meridian with your email, and that the phone clock is set automatically.', {
        field: 'code',
        reason: 'CODE_INVALID',
      });
    }
    return outcome.codes;
  }

  /**
   * New recovery codes in place of all the old ones (used or not). The caller
   * has checked for a recent step-up. Errors: CONFLICT (`reason` MFA_NOT_ENABLED).
   */
  async regenerate(userId: string, origin: RequestOrigin): Promise<string[]> {
    return this.db.transaction(async (m) => {
      await this.activeUser(m, userId);
      const factor = await this.factors.totp(m, userId, { forUpdate: true });
      if (factor?.status !== 'ACTIVE') throw errors.conflict('Recovery codes come with an authenticator app; set one up first.', { reason: 'MFA_NOT_ENABLED' });
      const codes = await this.replaceRecoveryCodes(m, userId, new Date());
      await recordAuditEvent(m, 'RECOVERY_CODES_REGENERATED', userId, origin, { recoveryCodes: codes.length });
      return codes;
    });
  }

  /**
   * Removes the authenticator and its recovery codes; sign-in then asks for a
   * second factor only if the user's role needs one (by email or SMS). The
   * caller has checked for a recent step-up. Errors: CONFLICT (`reason` MFA_NOT_ENABLED).
   */
  async disable(userId: string, origin: RequestOrigin): Promise<boolean> {
    return this.db.transaction(async (m) => {
      await this.activeUser(m, userId);
      const factor = await this.factors.totp(m, userId, { forUpdate: true });
      if (factor?.status !== 'ACTIVE') throw errors.conflict('No authenticator app is set up.', { reason: 'MFA_NOT_ENABLED' });
      await this.factors.removeAll(m, userId);
      await recordAuditEvent(m, 'MFA_DISABLED', userId, origin, { method: 'TOTP' });
      return true;
    });
  }

  /** The user's second factors as `User.mfa` shows them. */
  async status(user: Pick<UserRow, 'id' | 'email' | 'phone' | 'roles'>): Promise<MfaStatus> {
    const totp = await this.factors.totp(this.db, user.id);
    const active = totp?.status === 'ACTIVE';
    return {
      totpEnabled: active,
      totpEnabledAt: active ? totp.confirmedAt : null,
      recoveryCodesLeft: active ? await this.factors.recoveryCodesLeft(this.db, user.id) : 0,
      methods: await this.factors.methodsFor(this.db, user),
      required: active || user.roles.some((role) => this.requiredRoles.includes(role)),
    };
  }

  private async replaceRecoveryCodes(m: EntityManager, userId: string, now: Date): Promise<string[]> {
    const codes = generateRecoveryCodes(this.factors.policy.recoveryCodeCount);
    await m.query(`DELETE FROM identity.recovery_codes WHERE user_id = $1`, [userId]);
    for (const code of codes) {
      await m.query(`INSERT INTO identity.recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)`, [
        uuidv7(),
        userId,
        this.factors.hashRecoveryCode(userId, code),
        now,
      ]);
    }
    return codes;
  }

  /** The user, locked, if they may still act. Errors: UNAUTHENTICATED. */
  private async activeUser(m: EntityManager, userId: string): Promise<UserRow> {
    const user = await m.getRepository(UserEntity).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
    if (!user || user.status !== 'ACTIVE') throw errors.unauthenticated('This account can no longer sign in.');
    return user;
  }
}
