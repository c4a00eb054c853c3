import { AppShell, Burger, Button, Group, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { MeDocument } from '@meridian/client/web';
import { useQuery } from '@tanstack/react-query';
import { Outlet, useRouterState } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { useSessionActions } from '../session/session-actions';
import { sessionQueryOptions } from '../session/session-query';
import { activeNavItem, navItems, visibleNavItems } from './nav-items';
import { RouterNavLink } from './router-links';

/**
 * The signed-in frame: a header with who is signed in and "Sign out", the
 * navigation (a burger at phone width) and the screen. It also notices when
 * `/auth/session` (checked again on focus) says the session is over.
 */
export function AppLayout() {
  const api = useApi();
  const [opened, { toggle, close }] = useDisclosure(false);
  // At phone width a closed navigation is off-screen: inert too, so keyboards and screen readers skip it.
  const phone = useMediaQuery('(max-width: 47.99em)');
  const { signOut, sessionExpired } = useSessionActions();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const session = useQuery(sessionQueryOptions(api));
  const me = useMeridianQuery(MeDocument, {}, { staleTime: 60_000 });
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    if (session.data === null) sessionExpired();
  }, [session.data, sessionExpired]);

  const items = visibleNavItems(navItems, me.data?.me.roles ?? []);
  const active = activeNavItem(items, pathname);

  const onSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } catch (err) {
      notifications.show({ color: 'red', title: 'Still signed in', message: errorMessage(err) });
    } finally {
      setSigningOut(false);
    }
  };

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
              aria-expanded={opened}
              aria-controls="main-navigation"
            />
            <Title order={2} size="h3">
              Meridian
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {me.data && (
              <Text size="sm" visibleFrom="xs" data-testid="signed-in-as">
                <VisuallyHidden>Signed in as </VisuallyHidden>
                {me.data.me.displayName}
              </Text>
            )}
            <Button variant="default" size="xs" onClick={onSignOut} loading={signingOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label="Main" id="main-navigation" inert={phone && !opened}>
        {items.map((item) => (
          <RouterNavLink key={item.to} to={item.to} label={item.label} active={item === active} aria-current={item === active ? 'page' : undefined} onClick={close} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
