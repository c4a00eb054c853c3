import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { KycCaseDocument, type KycCaseQuery, type KycFieldSource, type KycFieldStatus } from '@meridian/client/web';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { STAFF_READ_MESSAGES } from './review-reason';
import { TIER_LABELS } from './staff-format';

/** The customer behind a case as the case query returns them. */
export type KycSubject = NonNullable<KycCaseQuery['kycCase']>['subject'];

const SOURCE_LABELS: Record<KycFieldSource, string> = { CUSTOMER: 'the customer', PHONE_CODE: 'a phone code', PROVIDER: 'the provider', STAFF: 'staff' };

function FieldStatus({ status, source }: { status: KycFieldStatus; source: KycFieldSource }) {
  return status === 'VERIFIED' ? (
    <Badge size="sm" color="green" variant="light">
      Verified by {SOURCE_LABELS[source]}
    </Badge>
  ) : (
    <Badge size="sm" color="gray" variant="light">
      Given by {SOURCE_LABELS[source]}, not checked
    </Badge>
  );
}

type Row = { label: string; value: string; status: KycFieldStatus; source: KycFieldSource } | { label: string; value: null };

function rowsOf(profile: KycSubject['profile']): Row[] {
  const field = (label: string, f: { value: string; status: KycFieldStatus; source: KycFieldSource } | null | undefined): Row =>
    f ? { label, value: f.value, status: f.status, source: f.source } : { label, value: null };
  const { address } = profile;
  return [
    field('Legal name', profile.legalName),
    field('Date of birth', profile.dateOfBirth),
    field('Nationality', profile.nationality),
    address
      ? {
          label: 'Address',
          value: [address.line1, address.line2, address.city, address.postalCode, address.country].filter(Boolean).join(', '),
          status: address.status,
          source: address.source,
        }
      : { label: 'Address', value: null },
    field('Tax ID', profile.taxId),
    field('Mobile number', profile.phone),
  ];
}

/** Props of {@link KycSubjectCard}. */
export interface KycSubjectCardProps {
  caseId: string;
  /** The review session's reason, sent with the reveal (audited as revealed). */
  reason: string;
  /** The personal data as the case shows it: masked. */
  subject: KycSubject;
}

/**
 * The customer's personal data on a case: masked, and unmasked on "Reveal",
 * which reads the case again with `reveal: true` (audited as revealed). That
 * needs a second factor from the last few minutes: when the API asks, the
 * step-up dialog opens and the read is sent again.
 */
export function KycSubjectCard({ caseId, reason, subject }: KycSubjectCardProps) {
  // An explicit, audited read run on demand (never cached), with the step-up dialog when asked.
  const reveal = useMeridianMutation(KycCaseDocument);
  const revealed = reveal.data?.kycCase?.subject;
  const shown = revealed ?? subject;
  const refusal =
    reveal.error &&
    errorMessage(reveal.error, {
      ...STAFF_READ_MESSAGES,
      STEP_UP_REQUIRED: 'Revealing personal data needs a second factor from the last few minutes. Press “Reveal personal data” to try again.',
      FORBIDDEN: 'Your role does not allow revealing personal data.',
      NOT_FOUND: 'This case could not be found any more.',
    });
  return (
    <Card withBorder component="section" aria-labelledby="kyc-subject">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={2} size="h4" id="kyc-subject">
              Personal data
            </Title>
            <Text size="sm" c="dimmed">
              {revealed ? 'Shown in full: this read is recorded as revealed.' : 'Masked.'} Customer now {TIER_LABELS[shown.tier]}.
            </Text>
          </div>
          {revealed ? (
            <Button variant="default" size="xs" onClick={() => reveal.reset()}>
              Hide personal data
            </Button>
          ) : (
            <Button variant="light" size="xs" loading={reveal.isPending} onClick={() => reveal.mutate({ id: caseId, reveal: true, reason })}>
              Reveal personal data
            </Button>
          )}
        </Group>
        {refusal && (
          <Alert color="red" role="alert" title="Not revealed">
            {refusal}
          </Alert>
        )}
        <Table layout="fixed" verticalSpacing="xs" data-testid="kyc-personal-data">
          <Table.Tbody>
            {rowsOf(shown.profile).map((row) => (
              <Table.Tr key={row.label}>
                <Table.Th scope="row" w="32%">
                  {row.label}
                </Table.Th>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {row.value === null ? (
                    <Text size="sm" c="dimmed">
                      Not given
                    </Text>
                  ) : (
                    <Stack gap={2} align="flex-start">
                      <Text size="sm">{row.value}</Text>
                      <FieldStatus status={row.status} source={row.source} />
                    </Stack>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  );
}
