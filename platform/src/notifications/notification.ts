/** How a notification reaches its recipient. */
export type NotificationChannel = 'SMS' | 'EMAIL';

/** A message to one recipient, rendered by the caller. */
export interface Notification {
  channel: NotificationChannel;
  /** An E.164 phone number (`+447700900123`) for SMS, an email address for EMAIL. */
  to: string;
  /** What kind of message this is, e.g. `kyc.phone_code`; receivers route and test on it. */
  template: string;
  /** The message body as the recipient reads it. */
  text: string;
  /** The template's variables, e.g. `{ code }`. */
  data?: Record<string, string>;
}

/** A notification as it was sent: its id (UUIDv7) and when. */
export interface SentNotification extends Notification {
  id: string;
  /** ISO 8601 instant of sending. */
  sentAt: string;
}

/**
 * The port for sending SMS and email. Adapters: the development mailbox and the
 * webhook to the notification service. `send` throws SERVICE_UNAVAILABLE when the
 * message could not be handed over.
 */
export interface Notifier {
  send(notification: Notification): Promise<{ id: string }>;
}
