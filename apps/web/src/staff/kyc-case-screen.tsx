import { Alert, Badge, Box, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { KycCaseDocument, MeDocument, type KycCaseQuery } from '@meridian/client/web';
import { getRouteApi } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { KycDecisionForm, decidedMessage } from './kyc-decision-form';
import { KycDocuments } from './kyc-documents';
import { KycSubjectCard } from './kyc-subject-card';
import { ReasonBar, ReasonNeeded, STAFF_READ_MESSAGES, useReviewReason } from './review-reason';
import { formatDateTime, humanize, KYC_STATE_LABELS, TIER_LABELS } from './staff-format';
import { LoadFailed, Loading } from '../layout/load-states';

const route = getRouteApi('/signed-in/staff-area/staff/kyc/$caseId');

type KycCase = NonNullable<KycCaseQuery['kycCase']>;

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-labelledby={id}>
      <Stack gap="xs">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

function Checks({ kycCase }: { kycCase: KycCase }) {
  const { checks, screening } = kycCase;
  return (
    <Section id="kyc-checks" title="Checks and screening">
      {checks.length === 0 ? (
        <Text size="sm">No provider checks have reported.</Text>
      ) : (
        <Box component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Provider checks">
          {checks.map((check) => (
            <Box component="li" key={check.kind} py={4}>
              <Group gap="xs">
                <Text size="sm" fw={600}>
                  {humanize(check.kind)}
                </Text>
                <Badge size="sm" variant="light" color={check.outcome === 'CLEAR' ? 'green' : check.outcome === 'REJECTED' ? 'red' : 'orange'}>
                  {humanize(check.outcome)}
                </Badge>
                {check.reasons.length > 0 && <Text size="sm">{check.reasons.map(humanize).join(', ')}</Text>}
              </Group>
            </Box>
          ))}
        </Box>
      )}
      {screening ? (
        <Stack gap={4}>
          <Text size="sm">
            Sanctions screening: <strong>{humanize(screening.outcome)}</strong> on {formatDateTime(screening.screenedAt)}
            {screening.listVersion ? ` (list ${screening.listVersion})` : ''}.
          </Text>
          {screening.matches.length > 0 && (
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="xs" aria-label="Screening matches">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Listed name</Table.Th>
                    <Table.Th>Matched</Table.Th>
                    <Table.Th>Score</Table.Th>
                    <Table.Th>Why</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {screening.matches.map((match) => (
                    <Table.Tr key={match.listEntryId}>
                      <Table.Td>
                        {match.listedName} ({match.programs.join(', ')})
                      </Table.Td>
                      <Table.Td>{match.matchedName}</Table.Td>
                      <Table.Td>{new Intl.NumberFormat(undefined, { style: 'percent' }).format(match.score)}</Table.Td>
                      <Table.Td>{match.reasons.map(humanize).join(', ')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      ) : (
        <Text size="sm">Not screened yet.</Text>
      )}
    </Section>
  );
}

function History({ kycCase }: { kycCase: KycCase }) {
  return (
    <Section id="kyc-history" title="History">
      <Box component="ol" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Case history">
        {kycCase.history.map((event, i) => (
          <Box component="li" key={`${event.at}-${i}`} py={4}>
            <Text size="sm">
              <time dateTime={event.at}>{formatDateTime(event.at)}</time> · {event.from ? `${KYC_STATE_LABELS[event.from]} → ` : ''}
              {KYC_STATE_LABELS[event.to]} by {humanize(event.actorType)}
              {event.reason ? `: ${event.reason}` : ''}
            </Text>
          </Box>
        ))}
      </Box>
    </Section>
  );
}

/**
 * One KYC case for a compliance officer: why it is in review, the provider's
 * checks and the screening, the personal data (masked, revealed on demand),
 * the documents, the history and the decision. Every read carries the review
 * session's reason.
 */
export function KycCaseScreen() {
  const { caseId } = route.useParams();
  const { reason, ask } = useReviewReason();
  const me = useMeridianQuery(MeDocument, {}, { staleTime: 60_000 });
  const found = useMeridianQuery(KycCaseDocument, { id: caseId, reason: reason ?? '' }, { enabled: reason !== undefined });
  const [decided, setDecided] = useState<string>();
  const kycCase = found.data?.kycCase;
  const pending = kycCase?.pendingDecision;

  return (
    <Stack maw={820}>
      <AnchorLink to="/staff/kyc" size="sm">
        ← Review queue
      </AnchorLink>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1}>Verification case</Title>
          {kycCase && (
            <Text c="dimmed">
              {TIER_LABELS[kycCase.targetTier]} check · submitted {formatDateTime(kycCase.submittedAt ?? kycCase.createdAt)}
            </Text>
          )}
        </div>
        {kycCase && (
          <Badge size="lg" variant="light" color={kycCase.state === 'NEEDS_REVIEW' ? 'orange' : kycCase.state === 'APPROVED' ? 'green' : 'gray'}>
            {KYC_STATE_LABELS[kycCase.state]}
          </Badge>
        )}
      </Group>
      {reason === undefined ? <ReasonNeeded onGive={ask} /> : <ReasonBar reason={reason} onChange={ask} />}
      {found.error && <LoadFailed title="This case could not be loaded" message={errorMessage(found.error, { ...STAFF_READ_MESSAGES, NOT_FOUND: 'There is no verification case with this address.' })} onRetry={() => void found.refetch()} />}
      {found.isLoading && <Loading label="Loading the case" />}
      {found.data && !kycCase && <Text>There is no verification case with this address.</Text>}
      {decided && (
        <Alert color="green" role="status" title="Decision recorded">
          {decided}
        </Alert>
      )}
      {kycCase && reason !== undefined && (
        <>
          {kycCase.reviewReasons.length > 0 && (
            <Group gap="xs" aria-label="Why it is in review">
              <Text size="sm">In review because:</Text>
              {kycCase.reviewReasons.map((r) => (
                <Badge key={r} color="orange" variant="light">
                  {humanize(r)}
                </Badge>
              ))}
            </Group>
          )}
          {pending && (
            <Alert color="yellow" title="Rejection proposed">
              {pending.officerId === me.data?.me.id ? 'You' : 'Another officer'} proposed rejecting this case on {formatDateTime(pending.at)}: “{pending.reason}”.{' '}
              {pending.officerId === me.data?.me.id ? 'A second compliance officer must confirm it.' : 'Reject it too to confirm, or decide otherwise.'}
            </Alert>
          )}
          <AnchorLink to="/staff/customers/$customerId" params={{ customerId: kycCase.subject.userId }} size="sm">
            Look up this customer
          </AnchorLink>
          <KycSubjectCard caseId={kycCase.id} reason={reason} subject={kycCase.subject} />
          <Checks kycCase={kycCase} />
          <KycDocuments documents={kycCase.documents} reason={reason} />
          <History kycCase={kycCase} />
          {kycCase.state === 'NEEDS_REVIEW' ? (
            <Section id="kyc-decision" title="Decide">
              <KycDecisionForm caseId={kycCase.id} targetTier={kycCase.targetTier} onDecided={(result) => setDecided(decidedMessage(result, kycCase.targetTier))} />
            </Section>
          ) : (
            kycCase.decidedAt && (
              <Text size="sm">
                Decided {formatDateTime(kycCase.decidedAt)}
                {kycCase.customerMessage ? `. The customer was told: “${kycCase.customerMessage}”` : ''}.
              </Text>
            )
          )}
        </>
      )}
    </Stack>
  );
}
