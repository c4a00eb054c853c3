import { maskRecipient, type BackgroundSender } from '@meridian/platform';

/** Templates of the emails identity sends; receivers route on them, tests read them. */
export const ACCOUNT_TEMPLATES = {
  /** A link (and the same token for an app) proving the user receives mail at an address. */
  emailVerification: 'identity.email_verification',
  /** To an address that already has an account, when someone registers with it. */
  registrationDuplicate: 'identity.registration_duplicate',
  /** To the address of a registration that could not complete (its phone number belongs to another account). */
  registrationIncomplete: 'identity.registration_incomplete',
  /** To the current address, when a change to another is asked for. */
  emailChangeRequested: 'identity.email_change_requested',
  /** To an address that already has an account, when another account asks to move to it. */
  emailChangeConflict: 'identity.email_change_conflict',
  /** To the old address, once the change is done. */
  emailChanged: 'identity.email_changed',
  /** A reset link and a code to type into the app. */
  passwordReset: 'identity.password_reset',
  /** After a reset or a change of password. */
  passwordChanged: 'identity.password_changed',
} as const;

/** Where the links in identity's emails lead. */
export interface AccountMailerOptions {
  /** The web dashboard's public address (IDENTITY_PUBLIC_WEB_URL), without a trailing slash. */
  webUrl: string;
  /** How long verification links and reset links work, for the text. */
  verificationTtlHours: number;
  resetTtlMinutes: number;
}

/**
 * Renders identity's account emails and hands them to the background sender:
 * every one goes out after the request is answered, so no answer waits for,
 * or depends on, whether a message was sent.
 */
export class AccountMailer {
  constructor(
    private readonly sender: BackgroundSender,
    private readonly options: AccountMailerOptions,
  ) {}

  private link(path: string, token: string): string {
    return `${this.options.webUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  private email(to: string, template: string, text: string, data: Record<string, string> = {}): void {
    this.sender.send({ channel: 'EMAIL', to, template, text, data });
  }

  /** The link that proves `to`: the user's address at registration or a resend, or the new one of an email change. */
  emailVerification(to: string, displayName: string, token: string, purpose: 'verify' | 'change'): void {
    const link = this.link('/verify-email', token);
    const why = purpose === 'change' ? 'To make this the address of your Meridian account' : 'To confirm your email address for Meridian';
    this.email(
      to,
      ACCOUNT_TEMPLATES.emailVerification,
      `Hello ${displayName}. ${why}, open ${link} (or paste this code into the app: ${token}). It works once, for ${this.options.verificationTtlHours} hours. If you did not ask for this, ignore this email.`,
      { link, token, purpose },
    );
  }

  registrationDuplicate(to: string): void {
    const link = `${this.options.webUrl}/forgot-password`;
    this.email(
      to,
      ACCOUNT_TEMPLATES.registrationDuplicate,
      `Someone tried to create a Meridian account with this email address, which already has one. If it was you, sign in, or reset your password at ${link}. If it was not, you need do nothing: no account was created and yours is unchanged.`,
      { link },
    );
  }

  registrationIncomplete(to: string): void {
    this.email(
      to,
      ACCOUNT_TEMPLATES.registrationIncomplete,
      'We could not create your Meridian account: the mobile number given belongs to another account. Register again without it (you can add a number later), or sign in to the account it belongs to. If you did not try to register, ignore this email.',
    );
  }

  emailChangeRequested(to: string, newEmail: string): void {
    this.email(
      to,
      ACCOUNT_TEMPLATES.emailChangeRequested,
      `A change of your Meridian account's email address to ${maskRecipient(newEmail)} was asked for. It happens only once the new address is confirmed. If this was not you, reset your password now and contact us.`,
    );
  }

  emailChangeConflict(to: string): void {
    this.email(
      to,
      ACCOUNT_TEMPLATES.emailChangeConflict,
      'Someone asked to move another Meridian account to this email address. It already belongs to an account, so nothing changed. You need do nothing.',
    );
  }

  emailChanged(to: string, newEmail: string): void {
    this.email(
      to,
      ACCOUNT_TEMPLATES.emailChanged,
      `Your Meridian account's email address is now ${maskRecipient(newEmail)}; this address no longer signs in. If this was not you, contact us at once.`,
    );
  }

  passwordReset(to: string, token: string, code: string): void {
    const link = this.link('/reset-password', token);
    this.email(
      to,
      ACCOUNT_TEMPLATES.passwordReset,
      `To choose a new Meridian password, open ${link} or type the code ${code} into the app. Both work once, for ${this.options.resetTtlMinutes} minutes, and a newer request replaces them. Never share them, not even with us. If you did not ask for this, ignore this email: your password is unchanged.`,
      { link, token, code },
    );
  }

  passwordChanged(to: string, how: 'reset' | 'change'): void {
    const ended = how === 'reset' ? 'every device was signed out' : 'your other devices were signed out';
    this.email(
      to,
      ACCOUNT_TEMPLATES.passwordChanged,
      `Your Meridian password was ${how === 'reset' ? 'reset' : 'changed'}, and ${ended}. If this was not you, reset your password now and contact us.`,
      { how },
    );
  }
}
