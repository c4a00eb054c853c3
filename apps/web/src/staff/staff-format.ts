import type { KycCaseState, KycTier, PaymentStatus, UserStatus } from '@meridian/client/web';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** An API instant for people: "7 Dec 2026, 10:00". */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** An API instant's day: "7 Dec 2026". */
export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

/** A code such as `PROVIDER_CONSIDER` for people: "Provider consider". */
export { humanizeCode as humanize } from '../accounts/history-filter';

export const KYC_STATE_LABELS: Record<KycCaseState, string> = {
  DRAFT: 'Draft',
  SUBMITTED: 'Submitted',
  PROCESSING: 'Checks running',
  NEEDS_REVIEW: 'Needs review',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  RESUBMISSION_REQUESTED: 'Resubmission requested',
};

export const TIER_LABELS: Record<KycTier, string> = { TIER_0: 'Tier 0', TIER_1: 'Tier 1', TIER_2: 'Tier 2' };

export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  REQUIRES_CONFIRMATION: 'Awaiting confirmation',
  REQUIRES_REVIEW: 'Held for review',
  PROCESSING: 'Processing',
  SUCCEEDED: 'Paid',
  FAILED: 'Failed',
  CANCELED: 'Cancelled',
  REFUNDED: 'Refunded',
  PARTIALLY_REFUNDED: 'Partly refunded',
};

export const USER_STATUS_LABELS: Record<UserStatus, string> = { ACTIVE: 'Active', LOCKED: 'Locked', DISABLED: 'Closed' };

/** A file size: "4.9 KB", "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let size = bytes / 1024;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(size)} ${units[unit]}`;
}
