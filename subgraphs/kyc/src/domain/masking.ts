/**
 * Masking for staff listings and logs: enough to recognise a customer, not to
 * copy their data. Letters after the first of each word become `*`.
 */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .map((word) => (word.length <= 1 ? word : word[0] + '*'.repeat(Math.min(word.length - 1, 6))))
    .join(' ');
}

/** Year only: `1968-**-**`. */
export const maskDate = (date: string): string => `${date.slice(0, 4)}-**-**`;

/** All but the last `keep` characters starred: `*****789C`. */
export function maskTail(value: string, keep = 4): string {
  if (value.length <= keep) return '*'.repeat(value.length);
  return '*'.repeat(value.length - keep) + value.slice(-keep);
}

/** A phone number with its country code and last three digits: `+44*******456`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 6) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 6) + phone.slice(-3);
}
