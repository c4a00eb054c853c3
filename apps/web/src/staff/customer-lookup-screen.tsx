import { Alert, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { CustomerByEmailDocument } from '@meridian/client/web';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { CustomerSearchForm } from './customer-search-form';
import { ReasonBar, ReasonNeeded, STAFF_READ_MESSAGES, useReviewReason } from './review-reason';
import { formatDate, USER_STATUS_LABELS } from './staff-format';

/**
 * Customer lookup for support and compliance: by email address
 * (`customerByEmail`) or straight to a customer by id. Each lookup is audited
 * with the review session's reason; the address searched for stays out of the
 * page's address.
 */
export function CustomerLookupScreen() {
  const { reason, ask } = useReviewReason();
  const navigate = useNavigate();
  const [email, setEmail] = useState<string>();
  const found = useMeridianQuery(CustomerByEmailDocument, { email: email ?? '', reason: reason ?? '' }, { enabled: email !== undefined && reason !== undefined, staleTime: 0 });
  const customer = found.data?.customerByEmail;

  return (
    <Stack maw={720}>
      <Title order={1}>Customer lookup</Title>
      <Text>Find a customer by the email address they sign in with, or by their customer ID.</Text>
      {reason === undefined ? <ReasonNeeded onGive={ask} /> : <ReasonBar reason={reason} onChange={ask} />}
      <CustomerSearchForm
        searching={found.isFetching}
        onSearch={(search) => {
          if (reason === undefined) {
            ask();
            return;
          }
          if (search.by === 'id') void navigate({ to: '/staff/customers/$customerId', params: { customerId: search.id } });
          else setEmail(search.email);
        }}
      />
      {found.error && (
        <Alert color="red" role="alert" title="The lookup failed">
          {errorMessage(found.error, STAFF_READ_MESSAGES)}
        </Alert>
      )}
      {found.data && !customer && (
        <Alert color="blue" role="status" title="No customer found">
          Nobody has the email address {email}.
        </Alert>
      )}
      {customer && (
        <Card withBorder component="section" aria-labelledby="found-customer" data-testid="found-customer">
          <Group justify="space-between" align="flex-start" gap="xs">
            <div>
              <Title order={2} size="h4" id="found-customer">
                <AnchorLink to="/staff/customers/$customerId" params={{ customerId: customer.id }} inherit>
                  {customer.displayName}
                </AnchorLink>
              </Title>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {customer.email}
                {customer.phone ? ` · ${customer.phone}` : ''}
              </Text>
              <Text size="sm" c="dimmed">
                Customer since {formatDate(customer.createdAt)} · ID {customer.id}
              </Text>
            </div>
            <Badge color={customer.status === 'ACTIVE' ? 'green' : 'red'} variant="light">
              {USER_STATUS_LABELS[customer.status]}
            </Badge>
          </Group>
        </Card>
      )}
    </Stack>
  );
}
