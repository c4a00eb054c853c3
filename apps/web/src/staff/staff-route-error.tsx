import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { errorMessage } from '../api/error-messages';
import { AnchorLink } from '../layout/router-links';
import { NotAllowedError } from './staff-access';

const ROLE_NAMES: Record<string, string> = { SUPPORT: 'support', COMPLIANCE: 'compliance', ADMIN: 'administrators' };

/** What a staff route shows when it cannot open: "not allowed" for someone without its roles, else why it failed. */
export function StaffRouteError({ error }: ErrorComponentProps) {
  const router = useRouter();
  if (error instanceof NotAllowedError) {
    const who = error.roles.map((role) => ROLE_NAMES[role] ?? role.toLowerCase());
    return (
      <Stack maw={560}>
        <Title order={1}>Not allowed</Title>
        <Text>
          This page is for Meridian staff ({who.join(', ')}). Your sign-in does not include that role, so nothing here is shown to you.
        </Text>
        <AnchorLink to="/accounts">Go to your accounts</AnchorLink>
      </Stack>
    );
  }
  return (
    <Alert color="red" role="alert" title="This page could not be opened" maw={560}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        <Button size="xs" variant="default" onClick={() => void router.invalidate()}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}
