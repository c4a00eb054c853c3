import { Alert, Group, Stack, Text, Title } from '@mantine/core';
import { useRouterState, type LinkProps } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/error-messages';
import { ButtonLink } from '../layout/router-links';

const SECTIONS: { label: string; to: NonNullable<LinkProps['to']> }[] = [
  { label: 'Payments', to: '/payments' },
  { label: 'Pay someone', to: '/payments/pay' },
  { label: 'Payees and billers', to: '/payments/payees' },
  { label: 'Scheduled', to: '/payments/scheduled' },
  { label: 'Cards and top-ups', to: '/payments/cards' },
  { label: 'Limits', to: '/payments/limits' },
];

/** The section a path is in: the longest link that is the path or a parent of it (a receipt is under Payments). */
export function paymentsSection(pathname: string): string | undefined {
  return SECTIONS.filter((s) => pathname === s.to || pathname.startsWith(`${s.to}/`)).sort((a, b) => b.to.length - a.to.length)[0]?.to;
}

/** The payments screens' own navigation, above each of them; it wraps at phone width and is left out of print. */
export function PaymentsNav() {
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const current = paymentsSection(pathname);
  return (
    <Group component="nav" aria-label="Payments" gap={6} data-print="hide">
      {SECTIONS.map((section) => (
        <ButtonLink
          key={section.to}
          to={section.to}
          size="compact-sm"
          variant={section.to === current ? 'light' : 'subtle'}
          aria-current={section.to === current ? 'page' : undefined}
          activeOptions={{ exact: true }}
        >
          {section.label}
        </ButtonLink>
      ))}
    </Group>
  );
}

interface PaymentsPageProps {
  title: string;
  intro?: ReactNode;
  /** Why the screen's data could not be read. */
  loadError?: unknown;
  /** What the last action changed, said in the page (a polite live region) rather than in a toast that disappears. */
  notice?: string;
  children: ReactNode;
  maw?: number;
}

/** A payments screen: the section's navigation, the screen's heading and introduction, a read's failure or the last change, and its content. */
export function PaymentsPage({ title, intro, loadError, notice, children, maw = 720 }: PaymentsPageProps) {
  return (
    <Stack maw={maw}>
      <PaymentsNav />
      <Title order={1}>{title}</Title>
      {intro && <Text>{intro}</Text>}
      {loadError != null && (
        <Alert color="red" role="alert">
          {errorMessage(loadError)}
        </Alert>
      )}
      {notice && (
        <Alert color="green" role="status">
          {notice}
        </Alert>
      )}
      {children}
    </Stack>
  );
}
