/**
 * A recipient as logs may show it: the first letter of an email's local part
 * (`j***@example.com`, always three stars so the length stays hidden), or a
 * phone's first and last three characters (`+44*******123`).
 */
export function maskRecipient(to: string): string {
  const recipient = to.trim();
  const at = recipient.lastIndexOf('@');
  if (at >= 0) return `${recipient.slice(0, Math.min(1, at))}***${recipient.slice(at)}`;
  // Too short to keep both ends without showing most of it.
  if (recipient.length <= 6) return '*'.repeat(recipient.length);
  return `${recipient.slice(0, 3)}${'*'.repeat(recipient.length - 6)}${recipient.slice(-3)}`;
}
