import { Alert, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { MeDocument, MfaStatusDocument } from '@meridian/client/web';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { ChangeEmailForm } from './change-email-form';
import { ChangePasswordForm } from './change-password-form';
import { EmailAddressStatus } from './email-address-status';
import { Loading } from '../layout/load-states';

/** A titled part of the page, named by its heading for assistive technology. */
function SecuritySection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby={`${id}-title`}>
      <Stack>
        <Title order={2} size="h3" id={`${id}-title`}>
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

/** Sign-in and security: the email address (verified or not, and changing it), the password, and the ways to two-step verification and (for customers) API keys. */
export function SecurityScreen() {
  const me = useMeridianQuery(MeDocument, {}, { staleTime: 0 });
  const mfa = useMeridianQuery(MfaStatusDocument, {});
  return (
    <Stack maw={720}>
      <Title order={1}>Security</Title>
      <Text>How you sign in to Meridian, and what may act for you.</Text>
      {me.isPending && <Loading label="Loading your details" />}
      {me.error && (
        <Alert color="red" role="alert">
          {errorMessage(me.error)}
        </Alert>
      )}
      {me.data && (
        <>
          <SecuritySection id="email" title="Email address">
            <EmailAddressStatus me={me.data.me} />
            <Title order={3} size="h5">
              Change your email address
            </Title>
            <ChangeEmailForm currentEmail={me.data.me.email} />
          </SecuritySection>
          <SecuritySection id="password" title="Password">
            <ChangePasswordForm />
          </SecuritySection>
        </>
      )}
      <SecuritySection id="two-step" title="Two-step verification">
        <Group gap="sm">
          {mfa.data && (
            <Badge color={mfa.data.me.mfa.totpEnabled ? 'green' : 'gray'} variant="light">
              {mfa.data.me.mfa.totpEnabled ? 'Authenticator app on' : 'Authenticator app off'}
            </Badge>
          )}
          <Text size="sm">A code from an app on your phone each time you sign in.</Text>
        </Group>
        <AnchorLink to="/security/two-step">Manage two-step verification</AnchorLink>
      </SecuritySection>
      {me.data?.me.roles.includes('CUSTOMER') && (
        <SecuritySection id="api-keys" title="API keys">
          <Text size="sm">Keys let your own scripts read or act on your accounts, with only the permissions you give them.</Text>
          <AnchorLink to="/security/api-keys">Manage API keys</AnchorLink>
        </SecuritySection>
      )}
    </Stack>
  );
}
