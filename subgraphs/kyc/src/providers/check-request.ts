import { createHash } from 'node:crypto';
import { errors } from '@meridian/platform';
import { z } from 'zod';
import { CHECK_KINDS, DOCUMENT_KINDS, type CheckRequest } from './verification-provider';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const text = (max: number) => z.string().trim().min(1).max(max);

/** True for `YYYY-MM-DD` naming a day that exists (no 2001-02-29). */
function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function requestSchema(today: Date) {
  const todayIso = today.toISOString().slice(0, 10);
  return z.object({
    checkId: text(200),
    caseId: text(200),
    userId: text(200),
    kinds: z
      .array(z.enum(CHECK_KINDS))
      .min(1)
      .refine((kinds) => new Set(kinds).size === kinds.length, 'must not repeat a kind'),
    applicant: z.object({
      legalName: text(300),
      dateOfBirth: z
        .string()
        .refine(isCalendarDate, 'must be a date as YYYY-MM-DD')
        // ISO dates of the same length compare as strings in date order.
        .refine((date) => date >= '1900-01-01' && date <= todayIso, 'must be between 1900-01-01 and today'),
      nationality: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').optional(),
      address: z
        .object({
          line1: text(200),
          line2: z.string().trim().max(200).optional(),
          city: text(100),
          postalCode: text(20),
          country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
        })
        .optional(),
    }),
    documents: z
      .array(
        z.object({
          id: text(200),
          kind: z.enum(DOCUMENT_KINDS),
          contentType: text(100),
          sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be a hex SHA-256'),
          size: z.number().int().positive(),
        }),
      )
      .max(20),
  });
}

/**
 * The request with text trimmed, or BAD_USER_INPUT (reason CHECK_REQUEST_INVALID,
 * `field` naming the first problem). `today` bounds the date of birth.
 */
export function parseCheckRequest(request: CheckRequest, today: Date): CheckRequest {
  const result = requestSchema(today).safeParse(request);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.');
  const details = field ? { reason: 'CHECK_REQUEST_INVALID', field } : { reason: 'CHECK_REQUEST_INVALID' };
  throw errors.badInput(field ? `${field}: ${issue.message}` : issue.message, details);
}

/** SHA-256 of a parsed request: the same `checkId` with another fingerprint is a different check. */
export function checkRequestFingerprint(request: CheckRequest): string {
  // Parsed requests have their keys in schema order, so equal content serialises equally.
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}
