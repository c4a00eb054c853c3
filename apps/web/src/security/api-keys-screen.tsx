import { Alert, Badge, Button, Card, Code, CopyButton, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ApiKeysDocument, RevokeApiKeyDocument, type ApiKeysQuery, type ApiKeyStatus, type CreateApiKeyMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation, useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { scopeLabel } from './api-key-scopes';
import { CreateApiKeyForm } from './create-api-key-form';
import { Loading } from '../layout/load-states';

type ApiKey = ApiKeysQuery['apiKeys'][number];

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const STATUS: Record<ApiKeyStatus, { label: string; color: string }> = {
  ACTIVE: { label: 'Works', color: 'green' },
  EXPIRED: { label: 'Expired', color: 'gray' },
  REVOKED: { label: 'Revoked', color: 'red' },
};

/** The new key's secret, shown once, with a way to copy it. */
function NewKeySecret({ created, onDone }: { created: CreateApiKeyMutation['createApiKey']; onDone: () => void }) {
  return (
    <Alert color="green" role="status" title={`Key “${created.apiKey.name}” created`}>
      <Stack gap="sm">
        <Text size="sm">Copy it now and keep it secret: this is the only time it is shown. Your script sends it in the header <Code>Authorization: ApiKey &lt;key&gt;</Code>.</Text>
        <Code block data-testid="api-key-secret" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
          {created.secret}
        </Code>
        <Group gap="sm">
          <CopyButton value={created.secret}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy the key'}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onDone}>I have stored it</Button>
        </Group>
      </Stack>
    </Alert>
  );
}

function ApiKeyCard({ apiKey, onRevoke }: { apiKey: ApiKey; onRevoke: () => void }) {
  const status = STATUS[apiKey.status];
  return (
    <Card withBorder component="li" data-testid="api-key">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs" wrap="wrap">
            <Text fw={600}>{apiKey.name}</Text>
            <Badge color={status.color} variant="light">
              {status.label}
            </Badge>
          </Group>
          {apiKey.status === 'ACTIVE' && (
            <Button variant="light" color="red" size="xs" onClick={onRevoke} aria-label={`Revoke ${apiKey.name}`}>
              Revoke
            </Button>
          )}
        </Group>
        <Code style={{ alignSelf: 'flex-start', overflowWrap: 'anywhere' }}>{apiKey.prefix}…</Code>
        <Text size="sm">{apiKey.scopes.map(scopeLabel).join(' · ')}</Text>
        <Text size="sm" c="dimmed">
          Created {day.format(new Date(apiKey.createdAt))} ·{' '}
          {apiKey.revokedAt ? `revoked ${moment.format(new Date(apiKey.revokedAt))}` : `${apiKey.status === 'EXPIRED' ? 'expired' : 'works until'} ${day.format(new Date(apiKey.expiresAt))}`} ·{' '}
          {apiKey.lastUsedAt ? `last used ${moment.format(new Date(apiKey.lastUsedAt))}` : 'never used'}
        </Text>
      </Stack>
    </Card>
  );
}

/** API keys for the customer's own scripts: create one (its secret shown once), the list with what each may do, and revoke. */
export function ApiKeysScreen() {
  const queryClient = useQueryClient();
  const keys = useMeridianQuery(ApiKeysDocument, {}, { staleTime: 0 });
  const [created, setCreated] = useState<CreateApiKeyMutation['createApiKey']>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const revoke = useMeridianMutation(RevokeApiKeyDocument, {
    onSuccess: async (data) => {
      setRevoking(undefined);
      notifications.show({ color: 'green', title: 'Key revoked', message: 'It no longer works, for anything.' });
      if (created?.apiKey.id === data.revokeApiKey.id) setCreated(undefined);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(ApiKeysDocument) });
    },
    onError: () => setRevoking(undefined),
  });
  return (
    <Stack maw={720}>
      <AnchorLink to="/security">← Security</AnchorLink>
      <Title order={1}>API keys</Title>
      <Text>
        A key lets a script of yours use Meridian as you, with only the permissions you give it. It never changes your password, second factors or keys, and
        nothing that asks you to confirm it is you works with it.
      </Text>
      {created ? (
        <NewKeySecret created={created} onDone={() => setCreated(undefined)} />
      ) : (
        <Paper withBorder p="lg" component="section" aria-labelledby="new-key-title">
          <Stack>
            <Title order={2} size="h3" id="new-key-title">
              Create a key
            </Title>
            <CreateApiKeyForm onCreated={setCreated} />
          </Stack>
        </Paper>
      )}
      <Title order={2} size="h3">
        Your keys
      </Title>
      {keys.isPending && <Loading label="Loading your keys" />}
      {keys.error && (
        <Alert color="red" role="alert">
          {errorMessage(keys.error)}
        </Alert>
      )}
      {revoke.error && (
        <Alert color="red" role="alert" title="Not revoked">
          {errorMessage(revoke.error, { NOT_FOUND: 'That key could not be found. Reload the page.' })}
        </Alert>
      )}
      {keys.data && keys.data.apiKeys.length === 0 && <Text c="dimmed">You have no API keys.</Text>}
      {keys.data && keys.data.apiKeys.length > 0 && (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="API keys">
          {keys.data.apiKeys.map((apiKey) => (
            <ApiKeyCard key={apiKey.id} apiKey={apiKey} onRevoke={() => setRevoking(apiKey)} />
          ))}
        </Stack>
      )}
      <Modal opened={revoking !== undefined} onClose={() => setRevoking(undefined)} title="Revoke this key?" centered>
        {revoking && (
          <Stack>
            <Text size="sm">“{revoking.name}” stops working at once, for every script that uses it. This cannot be undone.</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRevoking(undefined)}>
                Keep it
              </Button>
              <Button color="red" onClick={() => revoke.mutate({ id: revoking.id })} loading={revoke.isPending}>
                Revoke the key
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
