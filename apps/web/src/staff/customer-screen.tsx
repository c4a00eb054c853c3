import { Alert, Badge, Box, Card, Group, Stack, Text, Title } from '@mantine/core';
import { CustomerLookupDocument, type CustomerLookupQuery } from '@meridian/client/web';
import { getRouteApi } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { accountTypeLabel, formatAccountNumber } from '../accounts/use-accounts';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { formatMoney } from '../money/format-money';
import { ReasonBar, ReasonNeeded, STAFF_READ_MESSAGES, useReviewReason } from './review-reason';
import { formatDate, humanize, USER_STATUS_LABELS } from './staff-format';
import { LoadFailed, Loading } from '../layout/load-states';

const route = getRouteApi('/signed-in/staff-area/staff/customers/$customerId');

type Customer = NonNullable<CustomerLookupQuery['customer']>;

function Section({ id, title, empty, children }: { id: string; title: string; empty?: string; children: ReactNode[] }) {
  return (
    <Card withBorder component="section" aria-labelledby={id}>
      <Stack gap="xs">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {children.length === 0 ? (
          <Text size="sm">{empty}</Text>
        ) : (
          <Box component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-labelledby={id}>
            {children}
          </Box>
        )}
      </Stack>
    </Card>
  );
}

function Item({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Box component="li" py={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid={testId}>
      {children}
    </Box>
  );
}

function Accounts({ accounts }: { accounts: Customer['accounts'] }) {
  return (
    <Section id="customer-accounts" title="Accounts" empty="No accounts.">
      {accounts.map((account) => (
        <Item key={account.id} testId="customer-account">
          <Group justify="space-between" align="flex-start" gap="xs" wrap="nowrap">
            <Stack gap={2} style={{ minWidth: 0 }}>
              <Text fw={600}>
                {account.name}{' '}
                {account.status !== 'ACTIVE' && (
                  <Badge size="sm" color="gray" variant="light">
                    {humanize(account.status)}
                  </Badge>
                )}
              </Text>
              <Text size="sm" c="dimmed">
                {accountTypeLabel(account.type)} · {formatAccountNumber(account.number)} · opened {formatDate(account.openedAt)}
                {account.closedAt ? ` · closed ${formatDate(account.closedAt)}` : ''}
              </Text>
            </Stack>
            <Stack gap={2} align="flex-end" style={{ flexShrink: 0 }}>
              <Text fw={600} data-testid="customer-account-available">
                {formatMoney(account.balance.available.amount, account.balance.available.currency)}
              </Text>
              <Text size="xs" c="dimmed">
                Posted {formatMoney(account.balance.posted.amount, account.balance.posted.currency)}
              </Text>
            </Stack>
          </Group>
        </Item>
      ))}
    </Section>
  );
}

/**
 * What the bank holds about one customer, for support and compliance: the
 * profile, accounts with balances, saved payees, billers and cards (masked).
 * One audited read (`customer(id, reason)`) with the review session's reason.
 */
export function CustomerScreen() {
  const { customerId } = route.useParams();
  const { reason, ask } = useReviewReason();
  const found = useMeridianQuery(CustomerLookupDocument, { id: customerId, reason: reason ?? '' }, { enabled: reason !== undefined });
  const customer = found.data?.customer;

  return (
    <Stack maw={820}>
      <AnchorLink to="/staff/customers" size="sm">
        ← Customer lookup
      </AnchorLink>
      <Title order={1}>{customer ? customer.displayName : 'Customer'}</Title>
      {reason === undefined ? <ReasonNeeded onGive={ask} /> : <ReasonBar reason={reason} onChange={ask} />}
      {found.error && <LoadFailed title="This customer could not be loaded" message={errorMessage(found.error, STAFF_READ_MESSAGES)} onRetry={() => void found.refetch()} />}
      {found.isLoading && <Loading label="Loading the customer" />}
      {found.data && !customer && (
        <Alert color="blue" role="status" title="No customer found">
          Nobody has the customer ID {customerId}.
        </Alert>
      )}
      {customer && (
        <>
          <Card withBorder component="section" aria-labelledby="customer-profile">
            <Stack gap={4}>
              <Group justify="space-between" align="flex-start">
                <Title order={2} size="h4" id="customer-profile">
                  Profile
                </Title>
                <Badge color={customer.status === 'ACTIVE' ? 'green' : 'red'} variant="light">
                  {USER_STATUS_LABELS[customer.status]}
                </Badge>
              </Group>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {customer.email}
                {customer.phone ? ` · ${customer.phone}` : ''}
              </Text>
              <Text size="sm" c="dimmed">
                {customer.roles.map(humanize).join(', ')} since {formatDate(customer.createdAt)} · ID {customer.id}
              </Text>
            </Stack>
          </Card>
          <Accounts accounts={customer.accounts} />
          <Section id="customer-payees" title="Payees" empty="No saved payees.">
            {customer.payees.map((payee) => (
              <Item key={payee.id}>
                <Text size="sm">
                  <strong>{payee.name}</strong> · {payee.scheme === 'IBAN' ? 'IBAN' : 'UK account'} {payee.maskedAccount} · {payee.country} · added {formatDate(payee.createdAt)}
                </Text>
              </Item>
            ))}
          </Section>
          <Section id="customer-billers" title="Billers" empty="No saved billers.">
            {customer.billers.map((biller) => (
              <Item key={biller.id}>
                <Text size="sm">
                  <strong>{biller.name}</strong> · biller {biller.billerCode} · reference {biller.maskedReference} · added {formatDate(biller.createdAt)}
                </Text>
              </Item>
            ))}
          </Section>
          <Section id="customer-cards" title="Cards" empty="No saved cards.">
            {customer.cards.map((card) => (
              <Item key={card.id}>
                <Text size="sm">
                  <strong>{humanize(card.brand)}</strong> ending {card.last4} · expires {String(card.expMonth).padStart(2, '0')}/{card.expYear} · added {formatDate(card.createdAt)}
                </Text>
              </Item>
            ))}
          </Section>
        </>
      )}
    </Stack>
  );
}
