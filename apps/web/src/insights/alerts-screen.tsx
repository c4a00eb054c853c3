import { Alert, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { AlertsDocument, MarkAlertsReadDocument, type AlertsQuery, type AlertType } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianInfiniteQuery, useMeridianMutation } from '../api/use-meridian';
import { InsightsHeader } from './insights-header';
import { formatInstant } from './insights-format';
import { LoadFailed, Loading, ShowMore } from '../layout/load-states';

type InsightAlert = NonNullable<AlertsQuery['me']['insights']>['alerts']['edges'][number]['node'];

/** Alerts per page. */
const PAGE_SIZE = 20;
/** markAlertsRead takes at most this many ids at once. */
const MAX_IDS = 100;

const TYPES: Record<AlertType, string> = {
  UNUSUAL_SPENDING: 'Unusual spending',
  LOW_BALANCE_AHEAD: 'Low balance ahead',
  BUDGET_EXCEEDED: 'Budget exceeded',
  NEW_SUBSCRIPTION: 'New subscription',
};

function AlertCard({ alert, onMarkRead, marking }: { alert: InsightAlert; onMarkRead: () => void; marking: boolean }) {
  return (
    <Card withBorder component="li" data-testid="insight-alert" data-read={alert.read} aria-labelledby={`alert-${alert.id}`}>
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={4} style={{ flex: '1 1 16rem', minWidth: 0 }}>
          <Group gap="xs">
            <Badge size="sm" variant="light" color={alert.severity === 'WARNING' ? 'orange' : 'blue'}>
              {alert.severity === 'WARNING' ? 'Worth acting on' : 'Good to know'}
            </Badge>
            {!alert.read && (
              <Badge size="sm" variant="filled" color="blue">
                New
              </Badge>
            )}
          </Group>
          <Text fw={alert.read ? 500 : 700} id={`alert-${alert.id}`}>
            {alert.title}
          </Text>
          <Text size="sm">{alert.body}</Text>
          <Text size="xs" c="dimmed">
            {TYPES[alert.type]} · <time dateTime={alert.createdAt}>{formatInstant(alert.createdAt)}</time>
          </Text>
        </Stack>
        {!alert.read && (
          <Button size="xs" variant="default" onClick={onMarkRead} loading={marking} aria-label={`Mark read: ${alert.title}`}>
            Mark read
          </Button>
        )}
      </Group>
    </Card>
  );
}

/** What insights noticed (`alerts`), newest first and page by page, with the unread ones marked and marked read here (`markAlertsRead`). */
export function AlertsScreen() {
  const queryClient = useQueryClient();
  const alerts = useMeridianInfiniteQuery(AlertsDocument, { first: PAGE_SIZE }, (page) =>
    page.me.insights?.alerts.pageInfo.hasNextPage ? page.me.insights.alerts.pageInfo.endCursor : undefined,
  );
  const pages = alerts.data?.pages ?? [];
  const list = pages.flatMap((page) => page.me.insights?.alerts.edges.map((e) => e.node) ?? []);
  const unreadCount = pages[0]?.me.insights?.alerts.unreadCount ?? 0;
  const unread = list.filter((a) => !a.read);
  const marking = useMeridianMutation(MarkAlertsReadDocument, {
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meridianQueryKey(AlertsDocument) }),
  });
  const markingIds = marking.isPending ? (marking.variables?.ids ?? []) : [];
  return (
    <Stack>
      <InsightsHeader
        title="Alerts"
        description="Unusual spending, a budget gone over, a new subscription, or a bill your balance may not cover."
        actions={
          unread.length > 0 && (
            <Button variant="default" onClick={() => marking.mutate({ ids: unread.slice(0, MAX_IDS).map((a) => a.id) })} loading={marking.isPending && markingIds.length > 1}>
              Mark all read
            </Button>
          )
        }
      />
      {alerts.data && (
        <Text aria-live="polite" data-testid="unread-count">
          {unreadCount === 0 ? 'No unread alerts.' : `${unreadCount} unread alert${unreadCount === 1 ? '' : 's'}.`}
        </Text>
      )}
      {marking.error && (
        <Alert color="red" role="alert" title="Not marked read">
          {errorMessage(marking.error, { BAD_USER_INPUT: 'Too many alerts at once. Try again.' })}
        </Alert>
      )}
      {alerts.error && <LoadFailed title="Your alerts could not be loaded" message={errorMessage(alerts.error)} onRetry={() => void alerts.refetch()} />}
      {alerts.isPending && <Loading label="Loading your alerts" />}
      {alerts.data && list.length === 0 && <Text>Nothing to tell you yet. Alerts appear here as insights notices things about your money.</Text>}
      {list.length > 0 && (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Alerts">
          {list.map((alert) => (
            <AlertCard key={alert.id} alert={alert} marking={markingIds.length === 1 && markingIds[0] === alert.id} onMarkRead={() => marking.mutate({ ids: [alert.id] })} />
          ))}
        </Stack>
      )}
      {alerts.hasNextPage && <ShowMore pages={alerts} label="Show older alerts" />}
    </Stack>
  );
}
