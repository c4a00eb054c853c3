import { Badge, Box, Group, Stack, Text, Title } from '@mantine/core';
import { KycReviewQueueDocument, type KycReviewQueueQuery } from '@meridian/client/web';
import { errorMessage } from '../api/error-messages';
import { useMeridianInfiniteQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { ReasonBar, ReasonNeeded, STAFF_READ_MESSAGES, useReviewReason } from './review-reason';
import { formatDateTime, humanize, TIER_LABELS } from './staff-format';
import { LoadFailed, Loading, ShowMore } from '../layout/load-states';

type QueuedCase = KycReviewQueueQuery['kycReviewQueue']['edges'][number]['node'];

/** Cases per page of the queue. */
const PAGE_SIZE = 20;

function QueuedCaseItem({ kycCase }: { kycCase: QueuedCase }) {
  const name = kycCase.subject.profile.legalName?.value ?? 'No name given';
  return (
    <Box component="li" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid="kyc-case">
      <Stack gap={4}>
        <Group justify="space-between" align="flex-start" gap="xs">
          <AnchorLink to="/staff/kyc/$caseId" params={{ caseId: kycCase.id }} fw={600}>
            {name}
          </AnchorLink>
          <Text size="sm">{TIER_LABELS[kycCase.targetTier]} check</Text>
        </Group>
        <Text size="sm" c="dimmed">
          Waiting since {formatDateTime(kycCase.submittedAt ?? kycCase.createdAt)} · customer now {TIER_LABELS[kycCase.subject.tier]}
        </Text>
        <Group gap="xs">
          {kycCase.reviewReasons.map((reason) => (
            <Badge key={reason} size="sm" color="orange" variant="light">
              {humanize(reason)}
            </Badge>
          ))}
          {kycCase.pendingDecision && (
            <Badge size="sm" color="red" variant="light">
              Rejection proposed
            </Badge>
          )}
        </Group>
      </Stack>
    </Box>
  );
}

/**
 * The KYC review queue: cases waiting for a compliance decision, longest
 * waiting first, a page at a time; names masked. Every page read is audited
 * with the review session's reason.
 */
export function KycQueueScreen() {
  const { reason, ask } = useReviewReason();
  const queue = useMeridianInfiniteQuery(
    KycReviewQueueDocument,
    { first: PAGE_SIZE, reason: reason ?? '' },
    (page) => (page.kycReviewQueue.pageInfo.hasNextPage ? page.kycReviewQueue.pageInfo.endCursor : undefined),
    { enabled: reason !== undefined },
  );
  const cases = queue.data?.pages.flatMap((page) => page.kycReviewQueue.edges.map((edge) => edge.node)) ?? [];
  return (
    <Stack maw={820}>
      <Title order={1}>KYC reviews</Title>
      <Text>Verification cases waiting for a compliance decision, longest waiting first. Names stay masked until you open a case and reveal them.</Text>
      {reason === undefined ? <ReasonNeeded onGive={ask} /> : <ReasonBar reason={reason} onChange={ask} />}
      {queue.error && <LoadFailed title="The queue could not be loaded" message={errorMessage(queue.error, STAFF_READ_MESSAGES)} onRetry={() => void queue.refetch()} />}
      {queue.isLoading && <Loading label="Loading the queue" />}
      {queue.data && cases.length === 0 && <Text>No case is waiting for review.</Text>}
      {cases.length > 0 && (
        <Box component="ul" aria-label="Cases waiting for review" p={0} m={0} style={{ listStyle: 'none' }}>
          {cases.map((kycCase) => (
            <QueuedCaseItem key={kycCase.id} kycCase={kycCase} />
          ))}
        </Box>
      )}
      {queue.hasNextPage && <ShowMore pages={queue} label="Show more cases" />}
    </Stack>
  );
}
