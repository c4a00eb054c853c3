import { Alert, Button, Fieldset, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { UpdateKycProfileDocument, type UpdateKycProfileInput } from '@meridian/client/web';
import { useState } from 'react';
import { errorMessage, errorReason } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { COUNTRY_CODES, countryOptions } from './countries';
import { NO_EDITABLE_CASE, profileFieldProblem } from './kyc-messages';
import { useRefreshKyc, type KycOverview } from './use-kyc';

/** KYC's characters for names and address lines: letters, marks, digits, spaces and name punctuation. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{Zs}.,'’()\-/#&]+$/u;
const POSTAL_CODE = /^[A-Z0-9][A-Z0-9 -]{0,10}[A-Z0-9]$/;
const MINIMUM_AGE = 18;

/** Text as KYC keeps it: NFC, trimmed, inner runs of spaces as one. */
const tidy = (value: string) => value.normalize('NFC').trim().replace(/\s+/g, ' ');

function textProblem(value: string, min: number, max: number, empty = 'Fill this in.'): string | null {
  const text = tidy(value);
  if (!text) return empty;
  if (text.length < min) return `Use at least ${min} characters.`;
  if (text.length > max) return `Use at most ${max} characters.`;
  return PRINTABLE.test(text) ? null : 'Use letters, digits, spaces and simple punctuation only.';
}

/** Why a date of birth (`YYYY-MM-DD`, as a date input gives it) cannot be sent, or null; KYC's rules, with today's date in UTC. */
export function dateOfBirthProblem(value: string, now = new Date()): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return 'Enter your date of birth.';
  const [y, m, d] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return 'That date does not exist.';
  if (date.getTime() > now.getTime()) return 'That date is in the future.';
  if (y < 1900) return 'Enter a date after 1900.';
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age -= 1;
  return age < MINIMUM_AGE ? `You must be ${MINIMUM_AGE} or over to be verified.` : null;
}

/** The fields a refusal can name (`extensions.field`) that this form shows. */
const FORM_FIELDS = new Set(['legalName', 'dateOfBirth', 'nationality', 'taxId', 'address.line1', 'address.line2', 'address.city', 'address.postalCode', 'address.country']);

const country = (value: string) => (COUNTRY_CODES.includes(value) ? null : 'Choose a country from the list.');

interface ProfileValues {
  legalName: string;
  dateOfBirth: string;
  nationality: string;
  address: { line1: string; line2: string; city: string; postalCode: string; country: string };
  taxId: string;
}

/** Props of {@link ProfileForm}. */
export interface ProfileFormProps {
  /** What KYC holds now; the form starts from it (the tax id is never shown back in full, so it starts empty). */
  profile: KycOverview['profile'];
  onSaved?: () => void;
}

/**
 * The personal data a verification needs (`updateKycProfile`): legal name,
 * date of birth, nationality and address, and optionally a tax id. Checked
 * here by KYC's own rules first; a refusal that names a field is shown under it.
 */
export function ProfileForm({ profile, onSaved }: ProfileFormProps) {
  const refreshKyc = useRefreshKyc();
  const [saved, setSaved] = useState(false);
  const form = useForm<ProfileValues>({
    initialValues: {
      legalName: profile.legalName?.value ?? '',
      dateOfBirth: profile.dateOfBirth?.value ?? '',
      nationality: profile.nationality?.value ?? '',
      address: {
        line1: profile.address?.line1 ?? '',
        line2: profile.address?.line2 ?? '',
        city: profile.address?.city ?? '',
        postalCode: profile.address?.postalCode ?? '',
        country: profile.address?.country ?? '',
      },
      taxId: '',
    },
    validate: {
      legalName: (value) => {
        const problem = textProblem(value, 2, 140, 'Enter your legal name.');
        if (problem) return problem;
        return /\p{L}/u.test(value) && !/\p{N}/u.test(value) ? null : 'Use letters, spaces and name punctuation only, without digits.';
      },
      dateOfBirth: (value) => dateOfBirthProblem(value),
      nationality: country,
      address: {
        line1: (value) => textProblem(value, 1, 100),
        line2: (value) => (tidy(value) ? textProblem(value, 1, 100) : null),
        city: (value) => textProblem(value, 1, 60),
        postalCode: (value) => (POSTAL_CODE.test(tidy(value).toUpperCase()) ? null : 'Enter a postal code of 2 to 12 letters, digits, spaces or dashes.'),
        country,
      },
      taxId: (value) => (!value.trim() || /^[A-Z0-9]{5,20}$/i.test(value.replace(/[\s-]/g, '')) ? null : 'Enter 5 to 20 letters and digits.'),
    },
  });
  const update = useMeridianMutation(UpdateKycProfileDocument, {
    onSuccess: async () => {
      setSaved(true);
      form.setFieldValue('taxId', '');
      form.resetDirty();
      await refreshKyc();
      onSaved?.();
    },
    onError: (error) => {
      const problem = profileFieldProblem(error);
      if (problem && FORM_FIELDS.has(problem.field)) form.setFieldError(problem.field, problem.message);
    },
  });
  const problem = profileFieldProblem(update.error);
  const refusal =
    update.error && !(problem && FORM_FIELDS.has(problem.field))
      ? errorMessage(update.error, { CONFLICT: (e) => (errorReason(e) === 'NO_EDITABLE_CASE' ? NO_EDITABLE_CASE : e.message) })
      : undefined;

  const submit = form.onSubmit((values) => {
    const line2 = tidy(values.address.line2);
    const input: UpdateKycProfileInput = {
      legalName: tidy(values.legalName),
      dateOfBirth: values.dateOfBirth.trim(),
      nationality: values.nationality,
      address: {
        line1: tidy(values.address.line1),
        ...(line2 ? { line2 } : {}),
        city: tidy(values.address.city),
        postalCode: tidy(values.address.postalCode).toUpperCase(),
        country: values.address.country,
      },
      ...(values.taxId.trim() ? { taxId: values.taxId.replace(/[\s-]/g, '').toUpperCase() } : {}),
    };
    setSaved(false);
    update.mutate({ input });
  });

  const countries = countryOptions();
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Legal name" description="Your full name as on your identity document" autoComplete="name" required {...form.getInputProps('legalName')} />
        <TextInput label="Date of birth" type="date" autoComplete="bday" required {...form.getInputProps('dateOfBirth')} />
        <Select label="Nationality" placeholder="Choose a country" data={countries} searchable required allowDeselect={false} {...form.getInputProps('nationality')} />
        <Fieldset legend="Home address" variant="unstyled">
          <Stack>
            <TextInput label="Address line 1" description="Number and street" autoComplete="address-line1" required {...form.getInputProps('address.line1')} />
            <TextInput label="Address line 2" description="Optional" autoComplete="address-line2" {...form.getInputProps('address.line2')} />
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <TextInput label="Town or city" autoComplete="address-level2" required {...form.getInputProps('address.city')} />
              <TextInput label="Postal code" autoComplete="postal-code" required {...form.getInputProps('address.postalCode')} />
            </SimpleGrid>
            <Select label="Country" placeholder="Choose a country" data={countries} searchable required allowDeselect={false} {...form.getInputProps('address.country')} />
          </Stack>
        </Fieldset>
        <TextInput
          label="Tax identification number"
          description={profile.taxId ? `Optional. We hold one ending ${profile.taxId.value.slice(-4)}; leave this empty to keep it.` : 'Optional'}
          autoComplete="off"
          {...form.getInputProps('taxId')}
        />
        {refusal && (
          <Alert color="red" role="alert" title="Not saved">
            {refusal}
          </Alert>
        )}
        {saved && !update.isPending && (
          <Alert color="green" role="status" title="Saved">
            Your details are saved.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={update.isPending}>
            Save my details
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
