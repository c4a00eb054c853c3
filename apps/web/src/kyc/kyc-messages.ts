import { isMeridianError, type MeridianError } from '@meridian/client';
import { describeWait, errorField, errorMessage, errorReason, type ErrorMessages } from '../api/error-messages';
import { describeSteps } from './use-kyc';

/** KYC's wording for a refused piece of personal data, by `extensions.reason`; the API's own message otherwise. */
const FIELD_REASONS: Record<string, string | ((field: string) => string)> = {
  LENGTH: (field) =>
    field === 'legalName'
      ? 'Use 2 to 140 characters.'
      : field === 'address.city'
        ? 'Use 1 to 60 characters.'
        : field === 'address.line1'
          ? 'Use 1 to 100 characters.'
          : 'Use at most 100 characters.',
  CHARACTERS: (field) => (field === 'legalName' ? 'Use letters, spaces and name punctuation only, without digits.' : 'Use letters, digits, spaces and simple punctuation only.'),
  DATE_FORMAT: 'Enter the date as day, month and year.',
  DATE_INVALID: 'That date does not exist.',
  DATE_IN_FUTURE: 'That date is in the future.',
  DATE_TOO_EARLY: 'Enter a date after 1900.',
  UNDERAGE: 'You must be 18 or over to be verified.',
  COUNTRY_UNKNOWN: 'Choose a country from the list.',
  FORMAT: (field) => (field === 'taxId' ? 'Enter 5 to 20 letters and digits.' : 'Enter a postal code of 2 to 12 letters, digits, spaces or dashes.'),
};

/** The form field a BAD_USER_INPUT of `updateKycProfile` names, with what to say under it; undefined for any other refusal. */
export function profileFieldProblem(error: unknown): { field: string; message: string } | undefined {
  const field = errorField(error);
  if (!field) return undefined;
  const wording = FIELD_REASONS[errorReason(error) ?? ''];
  const message = typeof wording === 'function' ? wording(field) : (wording ?? (error as MeridianError).message);
  return { field, message };
}

/** What every KYC screen says when there is no case to change. */
export const NO_EDITABLE_CASE = 'Your verification is not open for changes: start a verification first, or wait for the checks under way to finish.';

/** Refusals of `startVerification`. */
export const START_MESSAGES: ErrorMessages = {
  CONFLICT: (error) =>
    errorReason(error) === 'ALREADY_AT_TIER'
      ? 'You are already verified to that tier.'
      : 'A verification for the other tier is already open: finish it first.',
  BAD_USER_INPUT: 'Choose tier 1 or tier 2.',
};

/** Refusals of `submitVerification`. */
export const SUBMIT_MESSAGES: ErrorMessages = {
  BAD_USER_INPUT: (error) => {
    const missing = error.errors[0]?.extensions?.missing;
    return Array.isArray(missing) && missing.length
      ? `Some things are still missing: ${describeSteps(missing.map(String))}.`
      : error.message;
  },
  CONFLICT: 'This verification is closed. Start a new one.',
  NOT_FOUND: 'We could not find this verification. Reload the page.',
};

/** Refusals of `requestPhoneCode`. */
export function phoneCodeRequestMessage(error: unknown): string {
  return errorMessage(error, {
    BAD_USER_INPUT: (e) =>
      errorReason(e) === 'PHONE_NOT_MOBILE'
        ? 'That looks like a landline. Codes are sent by text message: give a mobile number.'
        : 'That is not a phone number we can use. Write it in international form, like +44 7911 123456.',
    RATE_LIMITED: (e) => {
      const wait = e.retryAfter !== undefined ? `in ${describeWait(e.retryAfter)}` : 'later';
      return errorReason(e) === 'CODE_RESEND_TOO_SOON'
        ? `A code was sent a moment ago. You can ask for another ${wait}.`
        : `Too many codes were asked for. Try again ${wait}.`;
    },
    SERVICE_UNAVAILABLE: 'We could not send the text message just now. Try again in a moment.',
    STEP_UP_REQUIRED: 'Changing a verified number needs you to confirm it is you. Press “Text me a code” to try again.',
  });
}

/** Refusals of `verifyPhoneCode`. */
export function phoneCodeCheckMessage(error: unknown): string {
  if (!isMeridianError(error, 'BAD_USER_INPUT')) return errorMessage(error);
  switch (errorReason(error)) {
    case 'CODE_NOT_REQUESTED':
      return 'Ask for a code first.';
    case 'CODE_EXPIRED':
      return 'That code has expired. Ask for a new one.';
    case 'CODE_ATTEMPTS_EXCEEDED':
      return 'Too many wrong codes. Ask for a new one.';
    case 'CODE_INVALID': {
      const left = error.errors[0]?.extensions?.attemptsRemaining;
      if (left === 0) return 'That code is not right, and it was the last try. Ask for a new code.';
      return `That code is not right.${typeof left === 'number' ? ` ${left} ${left === 1 ? 'try' : 'tries'} left.` : ''}`;
    }
    default:
      return 'The code is the 6 digits we sent.';
  }
}

/** Refusals of `POST /uploads` and `uploadKycDocument`. */
export const DOCUMENT_MESSAGES: ErrorMessages = {
  BAD_USER_INPUT: (error) =>
    errorReason(error) === 'UNSUPPORTED_TYPE'
      ? errorField(error) === 'kind'
        ? 'A selfie must be a photo: a JPEG or PNG file.'
        : 'Only JPEG, PNG and PDF files can be uploaded. This file is something else, whatever its name says.'
      : error.message,
  REQUEST_TOO_LARGE: 'That file is larger than 10 MB. Use a smaller scan or photo.',
  RATE_LIMITED: (error) =>
    `You have uploaded many files in the last hour. Try again ${error.retryAfter !== undefined ? `in ${describeWait(error.retryAfter)}` : 'later'}.`,
  NOT_FOUND: 'The upload has expired or could not be found. Choose the file and upload it again.',
  CONFLICT: (error) =>
    errorReason(error) === 'UPLOAD_ALREADY_ATTACHED'
      ? 'This file is already attached to another verification. Choose the file again.'
      : 'Documents can be added only while your verification is open for changes.',
  FORBIDDEN: 'This upload was refused. Reload the page and try again.',
  SERVICE_UNAVAILABLE: 'Uploads are not available just now. Try again in a moment.',
};
