import { Box, Group, Stack, Text, Title } from '@mantine/core';
import { useRouterState, type LinkProps } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { ButtonLink } from '../layout/router-links';

/** The insights screens, in the order the sub-navigation lists them. */
export const INSIGHTS_SCREENS: readonly { label: string; to: NonNullable<LinkProps['to']> }[] = [
  { label: 'Spending', to: '/insights/spending' },
  { label: 'Cash flow', to: '/insights/cash-flow' },
  { label: 'Budgets', to: '/insights/budgets' },
  { label: 'Recurring', to: '/insights/recurring' },
  { label: 'Goals', to: '/insights/goals' },
  { label: 'Alerts', to: '/insights/alerts' },
];

/** The heading of an insights screen, what it shows, and links to the other insights screens (the current one marked). */
export function InsightsHeader({ title, description, actions }: { title: string; description: ReactNode; actions?: ReactNode }) {
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1}>{title}</Title>
          <Text>{description}</Text>
        </div>
        {actions}
      </Group>
      <Box component="nav" aria-label="Insights">
        <Group gap="xs">
        {INSIGHTS_SCREENS.map((screen) => {
          const current = pathname === screen.to;
          return (
            <ButtonLink key={screen.to} to={screen.to} size="xs" variant={current ? 'filled' : 'default'} aria-current={current ? 'page' : undefined}>
              {screen.label}
            </ButtonLink>
          );
          })}
        </Group>
      </Box>
    </Stack>
  );
}
