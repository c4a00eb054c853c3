import { Alert, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { RevokeSessionDocument, SessionsDocument, type SessionsQuery } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation, useMeridianQuery } from '../api/use-meridian';
import { useSessionActions } from '../session/session-actions';
import { Loading } from '../layout/load-states';

type UserSession = SessionsQuery['me']['sessions'][number];

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A readable name for where a session is: the browser and system from its user agent, else the app's device id. */
export function describeDevice(session: Pick<UserSession, 'userAgent' | 'deviceId'>): string {
  const agent = session.userAgent ?? '';
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : undefined;
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS' : /Mac OS X/.test(agent) ? 'macOS' : /Windows/.test(agent) ? 'Windows' : /Linux/.test(agent) ? 'Linux' : undefined;
  if (browser) return system ? `${browser} on ${system}` : browser;
  if (session.deviceId) return `Meridian app (${session.deviceId})`;
  return agent ? agent.slice(0, 60) : 'Unknown device';
}

function SessionCard({ session, onRevoke, revoking }: { session: UserSession; onRevoke: () => void; revoking: boolean }) {
  const name = describeDevice(session);
  return (
    <Card withBorder component="li" data-testid="session">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Group gap="xs">
            <Text fw={600}>{name}</Text>
            {session.current && (
              <Badge color="green" variant="light">
                This browser
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            Signed in {when.format(new Date(session.createdAt))} · last active {when.format(new Date(session.lastActiveAt))}
          </Text>
        </Stack>
        <Button variant="light" color="red" size="xs" onClick={onRevoke} loading={revoking} aria-label={`Sign out this device (${name}${session.current ? ', this browser' : ''})`}>
          Sign out this device
        </Button>
      </Group>
    </Card>
  );
}

/** Where the user is signed in, with "Sign out this device" for each (`revokeSession`; this browser's ends at once). */
export function DevicesScreen() {
  const queryClient = useQueryClient();
  const { signedOut } = useSessionActions();
  const sessions = useMeridianQuery(SessionsDocument, {}, { staleTime: 0 });
  const revoke = useMeridianMutation(RevokeSessionDocument, {
    onSuccess: async (_data, { id }) => {
      const current = sessions.data?.me.sessions.find((s) => s.id === id)?.current;
      if (current) {
        signedOut();
        return;
      }
      notifications.show({ color: 'green', title: 'Signed out', message: 'That device is signed out.' });
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(SessionsDocument) });
    },
  });
  return (
    <Stack maw={720}>
      <Title order={1}>Devices and sessions</Title>
      <Text>Everywhere you are signed in. Sign out any device you do not recognise, then change your password.</Text>
      {sessions.isPending && <Loading label="Loading your sessions" />}
      {sessions.error && (
        <Alert color="red" role="alert">
          {errorMessage(sessions.error)}
        </Alert>
      )}
      {revoke.error && (
        <Alert color="red" role="alert" title="Not signed out">
          {errorMessage(revoke.error, { NOT_FOUND: 'That session has already ended.' })}
        </Alert>
      )}
      {sessions.data && (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Sessions">
          {sessions.data.me.sessions.map((session) => (
            <SessionCard
              key={session.id}
              session={session}
              revoking={revoke.isPending && revoke.variables?.id === session.id}
              onRevoke={() => revoke.mutate({ id: session.id })}
            />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
