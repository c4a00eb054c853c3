/**
 * An email address as Meridian compares it: NFC-normalised, trimmed and
 * lower-cased. Identity stores and looks up accounts by this form, and every
 * limit or lock per email keys on it, so `Ana@x.com`, ` ANA@x.com` and
 * `ana@x.com` are one address everywhere. It does not check the address's form.
 */
export function canonicalEmail(input: string): string {
  return input.normalize('NFC').trim().toLowerCase();
}
